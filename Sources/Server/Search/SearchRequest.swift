import FHIRCore
import Foundation
import HTTPTypes
import Store

/// A search as the client asked it (`GET /fhir/Type?…`, `POST /fhir/Type/_search`), read against the
/// parameters of its type (``SearchParameter``): what the gateway answers is kept, in the order given, for
/// the Bundle's `self` link; what it does not know is refused with `Prefer: handling=strict`, and
/// otherwise left out, of the search and of the link alike (https://hl7.org/fhir/R4/search.html#errors).
struct SearchRequest: Sendable {
    /// One search parameter as sent: `name[:modifier][.chain]=value[,value…]`.
    struct Criterion: Sendable, Hashable {
        var name: String
        /// `Patient` in `subject:Patient=…`.
        var modifier: String?
        /// `identifier` in `patient.identifier=…`.
        var chain: String?
        /// The comma-separated alternatives.
        var values: [String]
    }

    static let defaultCount = 50
    static let maximumCount = 1000

    var type: String
    var criteria: [Criterion]
    var lastUpdated = DateBound(from: nil, before: nil)
    var count = Self.defaultCount
    var newestFirst = false
    var cursor: String?
    /// `_include` targets: `subject`, `requester`, `performer`.
    var includes: [String] = []
    /// The parameters kept, as sent, for the `self` link.
    var kept: [(name: String, value: String)] = []

    /// The parameters the result pages share (the search's own, without the paging cursor).
    var linkParameters: [(name: String, value: String)] { self.kept.filter { $0.name != "_cursor" } }

    /// Reads the parameters of a search of `type`.
    ///
    /// - Throws: ``FHIRError`` 400 for a malformed value, an unsupported modifier or prefix, and with
    ///   `strict` for a parameter the gateway does not know.
    static func read(type: String, pairs: [(String, String)], strict: Bool) throws(FHIRError) -> SearchRequest {
        var request = SearchRequest(type: type, criteria: [])
        let parameters = Dictionary(
            SearchParameter.all(of: type).map { ($0.name, $0) },
            uniquingKeysWith: { a, _ in a }
        )
        for (key, value) in pairs {
            switch key {
            case "_format", "_pretty":
                continue
            case "_count":
                request.count = try Self.count(value, maximum: Self.maximumCount)
            case "_sort":
                switch value {
                case "_lastUpdated": request.newestFirst = false
                case "-_lastUpdated": request.newestFirst = true
                default:
                    if strict {
                        throw Self.unknown(
                            "_sort=\(value)",
                            type: type,
                            "the only sort is _lastUpdated or -_lastUpdated"
                        )
                    }
                    continue
                }
            case "_cursor":
                request.cursor = value
            case "_include":
                let parts = value.split(separator: ":").map(String.init)
                guard parts.count >= 2, parts[0] == type, SearchParameter.includes(of: type).contains(parts[1]) else {
                    if strict { throw Self.unknown("_include=\(value)", type: type, "not an _include of \(type)") }
                    continue
                }
                request.includes.append(parts[1])
            case "_lastUpdated":
                request.lastUpdated = request.lastUpdated.intersection(
                    try DateBound(value.replacingOccurrences(of: " ", with: "+"), parameter: "_lastUpdated")
                )
            default:
                guard let criterion = try Self.criterion(key, value, type: type, parameters: parameters, strict: strict)
                else { continue }
                request.criteria.append(criterion)
            }
            request.kept.append((key, value))
        }
        return request
    }

    /// A type's own parameter (or `_id`), read; nil when it is not one and the search is lenient.
    private static func criterion(
        _ key: String,
        _ value: String,
        type: String,
        parameters: [String: SearchParameter],
        strict: Bool
    ) throws(FHIRError) -> Criterion? {
        var name = key
        var chain: String?
        if let dot = name.firstIndex(of: ".") {
            chain = String(name[name.index(after: dot)...])
            name = String(name[..<dot])
        }
        var modifier: String?
        if let colon = name.firstIndex(of: ":") {
            modifier = String(name[name.index(after: colon)...])
            name = String(name[..<colon])
        }
        guard let parameter = parameters[name], parameter.name != "_lastUpdated" else {
            if strict { throw Self.unknown(key, type: type, "not a search parameter of \(type)") }
            return nil
        }
        if let chain {
            guard parameter.kind == .reference, chain == "identifier", modifier == nil || modifier == "Patient" else {
                throw FHIRError(.badRequest, .notSupported, "\(key): the only chain is \(name).identifier")
            }
        }
        if let modifier {
            guard parameter.kind == .reference, R4Metadata.shared.isResource(modifier) else {
                throw FHIRError(.badRequest, .notSupported, "\(key): the modifier ':\(modifier)' is not supported")
            }
        }
        let values = value.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard !values.contains(where: \.isEmpty) else {
            throw FHIRError(.badRequest, .value, "\(key) has an empty value")
        }
        return Criterion(name: name, modifier: modifier, chain: chain, values: values)
    }

    /// A `_count` value: a whole number from 0, at most `maximum`.
    static func count(_ value: String, maximum: Int) throws(FHIRError) -> Int {
        guard let count = Int(value), count >= 0 else {
            throw FHIRError(.badRequest, .value, "_count must be a non-negative integer, not '\(value)'")
        }
        return min(count, maximum)
    }

    private static func unknown(_ what: String, type: String, _ why: String) -> FHIRError {
        FHIRError(.badRequest, .notSupported, "\(what): \(why) (Prefer: handling=strict)")
    }

    /// The pairs of a query string or a form body (`application/x-www-form-urlencoded`): `+` is a space,
    /// `%XX` escapes are decoded in names and values.
    static func pairs(_ query: String?) -> [(String, String)] {
        guard let query, !query.isEmpty else { return [] }
        return query.split(separator: "&").compactMap { part in
            let pair = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (text: Substring) in
                String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text)
            }
            guard let name = pair.first.map(decode), !name.isEmpty else { return nil }
            return (name, pair.count > 1 ? decode(pair[1]) : "")
        }
    }

    /// Whether the client asked for strict handling (`Prefer: handling=strict`).
    static func isStrict(_ prefer: String?) -> Bool {
        prefer?.lowercased().split(separator: ",").contains { $0.trimmingWhitespace() == "handling=strict" } ?? false
    }
}
