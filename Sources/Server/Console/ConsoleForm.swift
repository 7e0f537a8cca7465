import Foundation

/// The fields of an `application/x-www-form-urlencoded` body, as the console's forms post them.
struct ConsoleForm: Sendable, Hashable {
    /// The largest form body read.
    static let maximumBytes = 16 * 1024

    private(set) var fields: [String: String] = [:]

    /// Reads `body`; repeated names keep the first value, malformed escapes are taken literally.
    init(_ body: String) {
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            guard !name.isEmpty, self.fields[name] == nil else { continue }
            self.fields[name] = parts.count > 1 ? Self.decode(parts[1]) : ""
        }
    }

    subscript(_ name: String) -> String? { self.fields[name] }

    private static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
