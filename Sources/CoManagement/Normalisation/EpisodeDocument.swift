#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The *episode document*: the JSON form of episodes that partners can receive instead of FHIR
/// notification Bundles, and that `replay --dry-run` prints.
///
/// `{ "episodes": [ … ] }` with keys sorted and pretty-printed, so the same episodes always give the
/// same bytes (golden files in `Samples/` compare as text). Absent optional values are omitted, not
/// written as `null`. Its JSON Schema (draft 2020-12) is `Samples/episode-document.schema.json`.
public enum EpisodeDocument {
    private struct Document: Encodable {
        var episodes: [Episode]
    }

    /// Encodes episodes, in the order given, as an episode document.
    public static func encode(_ episodes: [Episode]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        do {
            return String(decoding: try encoder.encode(Document(episodes: episodes)), as: UTF8.self)
        } catch {
            // Only non-finite doubles can fail, and measures are differences of parsed instants.
            preconditionFailure("episode document could not be encoded: \(error)")
        }
    }
}
