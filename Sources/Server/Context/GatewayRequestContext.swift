public import FHIRCore
public import Hummingbird
import Logging
public import NIOCore
public import Store

/// What the gateway knows about one request while it is handled: who sent it, its correlation id, the
/// wire format the answer will be written in, and what the audit record of it will say.
public struct GatewayRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Who the request acts for; nil until ``AccessMiddleware`` has run, and on open routes.
    public var principal: Principal?
    /// The client's `X-Request-ID`, or the request id Hummingbird made up; logged and audited.
    public var correlationID: String
    /// The format of the answer, from `_format`, `Accept` or the request body.
    public var responseFormat: WireFormat
    /// The FHIR base the answer names resources under (`https://tandem.example.org/fhir`): the configured
    /// public base URL, else the request's own origin and `/fhir`.
    public var fhirBase: String
    /// What the handler learned for the audit record (shared with ``AccessMiddleware``).
    public let access: AccessNote
    /// The connection, for the client certificate of a mutual-TLS connection.
    public let channel: (any Channel)?
    /// The address the request came from (audited; never logged with anything else about the request).
    public let remoteAddress: String?
    /// The operator's console session, on `/console` routes once ``ConsoleGate`` has found it.
    public var consoleSession: ConsoleSessionRecord?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.principal = nil
        self.correlationID = ""
        self.responseFormat = .json
        self.fhirBase = "/fhir"
        self.access = AccessNote()
        self.channel = source.channel
        self.remoteAddress = source.channel.remoteAddress?.ipAddress
        self.consoleSession = nil
    }
}

extension GatewayRequestContext {
    /// The authenticated sender, when the principal is one.
    public var sender: Sender? { self.principal?.sender }
}
