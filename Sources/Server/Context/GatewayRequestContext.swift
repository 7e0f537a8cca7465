public import FHIRCore
public import Hummingbird
import Logging

/// What the gateway knows about one request while it is handled: who sent it, its correlation id, and
/// the wire format the answer will be written in.
public struct GatewayRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The authenticated sender; nil until ``SenderAuthenticationMiddleware`` has run, and on open routes.
    public var sender: Sender?
    /// The client's `X-Request-ID`, or the request id Hummingbird made up; logged and audited.
    public var correlationID: String
    /// The format of the answer, from `_format`, `Accept` or the request body.
    public var responseFormat: WireFormat

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.sender = nil
        self.correlationID = ""
        self.responseFormat = .json
    }
}
