/// The findings about one message, in the order they were found: the value an `OperationOutcome` is
/// rendered from.
///
/// The pure entry points of FHIR core throw an `Outcome` (`throws(Outcome)`) when the input cannot be
/// read at all, and return one alongside their result otherwise; callers decide with ``hasErrors``.
public struct Outcome: Error, Sendable, Hashable, CustomStringConvertible {
    public var issues: [Issue]

    public init(_ issues: [Issue] = []) {
        self.issues = issues
    }

    /// An outcome with a single fatal issue: input that could not be read at all.
    public static func fatal(
        _ code: Issue.Code,
        path: String? = nil,
        _ message: String,
        at location: SourceLocation = .unknown
    ) -> Outcome {
        Outcome([Issue(.fatal, code, path: path, message, at: location)])
    }

    /// Whether any issue is `fatal` or `error`.
    public var hasErrors: Bool { self.issues.contains { $0.isError } }

    public var errors: [Issue] { self.issues.filter(\.isError) }

    public mutating func append(_ issue: Issue) { self.issues.append(issue) }

    public mutating func append(contentsOf other: Outcome) { self.issues.append(contentsOf: other.issues) }

    public var description: String { self.issues.map(\.description).joined(separator: "\n") }
}
