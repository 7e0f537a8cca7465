import CoManagement
import FHIRCore
import Foundation

/// The JSON forms the store keeps of episode values, shared by every backend: values are encoded with
/// sorted keys, and the normaliser's book is reassembled from its rows as the book's own JSON form.
enum EpisodeJSON {
    /// Sorted keys, so equal values are equal bytes (the bytes Foundation's `JSONEncoder` gives with
    /// sorted keys, written several times faster: this runs for every changed value of every message).
    static func encode(_ value: some Encodable) throws(StoreError) -> [UInt8] {
        do {
            return try SortedKeysJSONEncoder().encode(value)
        } catch {
            throw StoreError(.invalidRequest, "an episode value cannot be encoded: \(error)")
        }
    }

    /// Decodes the book from its stored parts: the held resources (key, held JSON, arrival), the live
    /// episodes (id, document) and the evaluation time (JSON, or empty).
    static func book(
        resources: [(key: String, held: [UInt8], arrival: Int64)],
        episodes: [(id: String, document: [UInt8])],
        evaluatedAt: [UInt8]
    ) throws(StoreError) -> EpisodeBook {
        var json: [UInt8] = Array(#"{"resources":{"#.utf8)
        var arrivals: Int64 = 0
        for (index, resource) in resources.enumerated() {
            if index > 0 { json.append(UInt8(ascii: ",")) }
            json += try Self.encode(resource.key) + [UInt8(ascii: ":")] + resource.held
            arrivals = max(arrivals, resource.arrival + 1)
        }
        json += Array(#"},"episodes":{"#.utf8)
        for (index, episode) in episodes.enumerated() {
            if index > 0 { json.append(UInt8(ascii: ",")) }
            json += try Self.encode(episode.id) + [UInt8(ascii: ":")] + episode.document
        }
        json += Array(#"},"arrivals":\#(arrivals)"#.utf8)
        if !evaluatedAt.isEmpty {
            json += Array(#","evaluatedAt":"#.utf8) + evaluatedAt
        }
        json.append(UInt8(ascii: "}"))
        do {
            return try JSONDecoder().decode(EpisodeBook.self, from: Data(json))
        } catch {
            throw StoreError(.corrupt, "the stored episode book cannot be read: \(error)")
        }
    }
}
