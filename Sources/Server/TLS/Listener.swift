public import HummingbirdCore
import NIOCore

/// The HTTP/1.1 listener the gateway serves on: plain or TLS (``TLSContexts``), with the header limits
/// and the request deadline of ``Limits``.
public enum Listener {
    /// The server builder for `Application(router:server:configuration:)`.
    public static func server(tls: TLSContexts?, limits: Limits) -> HTTPServerBuilder {
        let timeout = TimeAmount.nanoseconds(
            limits.requestTimeout.components.seconds * 1_000_000_000
                + limits.requestTimeout.components.attoseconds / 1_000_000_000
        )
        let decoder = HTTP1Channel.Configuration.DecoderConfiguration(
            maxHeaderFieldSize: limits.maximumHeaderFieldBytes,
            maxHeaderListSize: limits.maximumHeaderBytes,
            maxHeaderFieldCount: limits.maximumHeaderCount
        )
        return HTTPServerBuilder { responder in
            let http = HTTP1Channel(
                responder: responder,
                configuration: .init(
                    additionalChannelHandlers: [RequestDeadlineHandler(timeout: timeout)],
                    httpDecoderConfiguration: decoder
                )
            )
            guard let tls else { return http }
            return ReloadableTLSChannel(http, contexts: tls)
        }
    }
}
