/// A relative reference to a resource version, as timeline events name their source:
/// `ServiceRequest/sr-1/_history/2` (a `#fragment` is ignored).
struct ResourceReference: Sendable, Hashable {
    var type: String
    var id: String
    var version: String?

    init(type: String, id: String, version: String?) {
        self.type = type
        self.id = id
        self.version = version
    }

    /// Nil when the text is not `Type/id` with an optional `/_history/version`.
    init?(_ text: String) {
        let withoutFragment = text.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
        let parts = withoutFragment.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 || (parts.count == 4 && parts[2] == "_history"),
            parts.allSatisfy({ !$0.isEmpty }), parts[0].first?.isUppercase == true
        else { return nil }
        self.type = parts[0]
        self.id = parts[1]
        self.version = parts.count == 4 ? parts[3] : nil
    }

    /// `Type/id`.
    var path: String { "\(self.type)/\(self.id)" }

    /// `Type/id/_history/version`, or `Type/id` without a version.
    var versionedPath: String { self.version.map { "\(self.path)/_history/\($0)" } ?? self.path }
}
