/// One finding about a message: what is wrong, how badly, and where.
///
/// Mirrors `OperationOutcome.issue`: `severity`, `code` (the IssueType value set), `expression` (a
/// FHIRPath-style path such as `Patient.name[0].given[1]`) and `diagnostics`, plus the line and column in
/// the input when the input had lines.
public struct Issue: Sendable, Hashable, CustomStringConvertible {
    /// `OperationOutcome.issue.severity` (required binding IssueSeverity).
    public enum Severity: String, Sendable, Hashable, Comparable, CaseIterable {
        case fatal, error, warning, information

        private var rank: Int {
            switch self {
            case .fatal: 0
            case .error: 1
            case .warning: 2
            case .information: 3
            }
        }

        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
    }

    /// `OperationOutcome.issue.code` (required binding IssueType); the codes Tandem uses.
    public enum Code: String, Sendable, Hashable {
        case invalid, structure, required, value, invariant
        case security, login, unknown, expired, forbidden, suppressed
        case processing
        case notSupported = "not-supported"
        case duplicate
        case multipleMatches = "multiple-matches"
        case notFound = "not-found"
        case deleted
        case tooLong = "too-long"
        case codeInvalid = "code-invalid"
        case `extension`
        case tooCostly = "too-costly"
        case businessRule = "business-rule"
        case conflict
        case transient
        case lockError = "lock-error"
        case noStore = "no-store"
        case exception, timeout
        case incomplete, throttled, informational
    }

    public var severity: Severity
    public var code: Code
    /// FHIRPath-style location of the problem, or nil when it concerns the whole message.
    public var path: String?
    public var message: String
    public var location: SourceLocation

    public init(
        _ severity: Severity,
        _ code: Code,
        path: String?,
        _ message: String,
        at location: SourceLocation = .unknown
    ) {
        self.severity = severity
        self.code = code
        self.path = path
        self.message = message
        self.location = location
    }

    /// Whether the issue blocks acceptance (`fatal` or `error`).
    public var isError: Bool { self.severity <= .error }

    public var description: String {
        var text = "\(self.severity.rawValue) [\(self.code.rawValue)]"
        if let path = self.path { text += " \(path)" }
        if self.location.isKnown { text += " (\(self.location))" }
        return text + ": " + self.message
    }
}
