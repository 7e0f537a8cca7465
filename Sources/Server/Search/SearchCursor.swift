import FHIRCore
import Foundation
import HTTPTypes
import Store

/// The opaque `_cursor` of a `next` link: where the next page starts, as the store orders results. A
/// client hands it back unchanged; one it made up, or garbled, is refused.
enum SearchCursor {
    /// After a resource: its last-updated time and id.
    static func encode(_ cursor: ResourceQuery.Cursor) -> String {
        self.encode("r.\(cursor.lastUpdated).\(cursor.id)")
    }

    /// After an audit record: its number.
    static func encode(auditAfter id: Int64) -> String {
        self.encode("a.\(id)")
    }

    static func resource(_ text: String?) throws(FHIRError) -> ResourceQuery.Cursor? {
        guard let text else { return nil }
        let parts = try self.decode(text).split(separator: ".", maxSplits: 2).map(String.init)
        guard parts.count == 3, parts[0] == "r", let lastUpdated = Int64(parts[1]), ReferenceText.isID(parts[2]) else {
            throw Self.invalid
        }
        return ResourceQuery.Cursor(lastUpdated: lastUpdated, id: parts[2])
    }

    static func audit(_ text: String?) throws(FHIRError) -> Int64? {
        guard let text else { return nil }
        let parts = try self.decode(text).split(separator: ".").map(String.init)
        guard parts.count == 2, parts[0] == "a", let id = Int64(parts[1]) else { throw Self.invalid }
        return id
    }

    private static func encode(_ text: String) -> String {
        Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    private static func decode(_ text: String) throws(FHIRError) -> String {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let decoded = String(data: data, encoding: .utf8) else {
            throw Self.invalid
        }
        return decoded
    }

    private static let invalid = FHIRError(
        .badRequest,
        .value,
        "_cursor is not one this server made; follow the Bundle's next link as given"
    )
}
