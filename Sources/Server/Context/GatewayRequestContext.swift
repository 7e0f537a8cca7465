public import FHIRCore
public import Hummingbird
import Logging

/// What the gateway knows about one request while it is handled: who sent it, its correlation id, and
/// the wire format the answer will be written in.
public struct GatewayRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Who the request acts for; nil until ``AuthenticationMiddleware`` has run, and on open routes.
    public var principal: Principal?
    /// The client's `X-Request-ID`, or the request id Hummingbird made up; logged and audited.
    public var correlationID: String
    /// The format of the answer, from `_format`, `Accept` or the request body.
    public var responseFormat: WireFormat

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.principal = nil
        self.correlationID = ""
        self.responseFormat = .json
    }
}

extension GatewayRequestContext {
    /// The authenticated sender, when the principal is one.
    public var sender: Sender? { self.principal?.sender }
}
