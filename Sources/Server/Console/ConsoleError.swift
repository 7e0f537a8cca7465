public import HTTPTypes

/// Why a console request was refused or failed, as the page the operator sees: a status and a sentence.
///
/// The console's routes throw it; ``ConsolePages`` renders it as an HTML page (never a stack trace,
/// never an OperationOutcome) and the gate audits it.
public struct ConsoleError: Error, Sendable, Hashable {
    public var status: HTTPResponse.Status
    public var message: String

    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    static func notFound(_ what: String) -> ConsoleError {
        ConsoleError(.notFound, "\(what) is not known to this gateway.")
    }

    static let badForm = ConsoleError(
        .forbidden,
        "This form is out of date (its CSRF token does not match your session). Reload the page and try again."
    )
}
