/// What a subscription's filters (the Backport IG's `backport-filter-criteria`) narrow its topic to: the
/// episodes of some service lines, of some patients, or some episodes by id. Each key present must match
/// (AND); the values of one key are alternatives (OR). An empty filter admits every episode.
///
/// Filters only ever narrow: whom an episode's changes reach is decided first by who the partner is
/// (``Ingestion/EpisodeChange`` routing, consent), and a filter cannot widen it.
public struct EpisodeFilter: Sendable, Hashable, Codable {
    /// `service-line=ophthalmology.cataract`.
    public var serviceLines: Set<String> = []
    /// `patient=Patient/<gateway id>`.
    public var patientReferences: Set<String> = []
    /// `patient.identifier=system|value`: the episode's patient carries it (or is keyed by it).
    public var patientIdentifiers: Set<String> = []
    /// `episode=<episode id>`.
    public var episodes: Set<String> = []

    public init() {}

    /// The filter keys a criterion may use.
    public static let keys = ["service-line", "patient", "patient.identifier", "episode"]

    public var isEmpty: Bool {
        self.serviceLines.isEmpty && self.patientReferences.isEmpty && self.patientIdentifiers.isEmpty
            && self.episodes.isEmpty
    }

    /// Whether the filter lets an episode's changes through.
    public func admits(_ episode: Episode) -> Bool {
        if !self.serviceLines.isEmpty, !self.serviceLines.contains(episode.serviceLine) { return false }
        if !self.episodes.isEmpty, !self.episodes.contains(episode.id) { return false }
        if !self.patientReferences.isEmpty {
            guard let reference = episode.patient.reference, self.patientReferences.contains(reference) else {
                return false
            }
        }
        if !self.patientIdentifiers.isEmpty {
            let tokens = Set(episode.patient.identifiers.map(\.token)).union([episode.patient.key])
            guard !tokens.isDisjoint(with: self.patientIdentifiers) else { return false }
        }
        return true
    }

    /// Reads one criterion, `key=value[,value…]`, optionally after a resource type and `?` as the IG's
    /// examples write them (`Episode?service-line=…`); nil names the problem.
    public mutating func add(criterion text: String) -> String? {
        let query = text.split(separator: "?", maxSplits: 1).last.map(String.init) ?? text
        var added = false
        for part in query.split(separator: "&") {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2, !pair[1].isEmpty else { return "'\(part)' is not key=value" }
            let values = pair[1].split(separator: ",").map { String($0).removingPercentEscapes }
            switch pair[0] {
            case "service-line": self.serviceLines.formUnion(values)
            case "episode": self.episodes.formUnion(values)
            case "patient.identifier":
                self.patientIdentifiers.formUnion(values.map { $0.contains("|") ? $0 : "|" + $0 })
            case "patient":
                for value in values {
                    guard value.hasPrefix("Patient/"), value.count > "Patient/".count else {
                        return "patient must be a Patient reference (Patient/<id>), not '\(value)'"
                    }
                    self.patientReferences.insert(value)
                }
            default:
                return "'\(pair[0])' is not a filter of Tandem's topics; use \(Self.keys.joined(separator: ", "))"
            }
            added = true
        }
        return added ? nil : "the criterion is empty"
    }
}

extension String {
    /// The text with `%XX` escapes decoded (criteria are written as URL query values); unchanged when an
    /// escape is malformed.
    fileprivate var removingPercentEscapes: String {
        guard self.contains("%") else { return self }
        var bytes: [UInt8] = []
        var utf8 = Array(self.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
                let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
