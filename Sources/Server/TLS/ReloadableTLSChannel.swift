public import HummingbirdCore
public import Logging
public import NIOCore
import NIOSSL

/// Hummingbird's child channel with TLS in front, like its `TLSChannel`, except that each connection takes
/// the context ``TLSContexts`` holds when it opens, so certificates can be replaced while the server runs.
public struct ReloadableTLSChannel<BaseChannel: ServerChildChannel>: ServerChildChannel {
    public typealias Value = BaseChannel.Value

    let base: BaseChannel
    let contexts: TLSContexts

    public init(_ base: BaseChannel, contexts: TLSContexts) {
        self.base = base
        self.contexts = contexts
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let context = self.contexts.context
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
        }.flatMap {
            self.base.setup(channel: channel, logger: logger)
        }
    }

    public func handle(value: BaseChannel.Value, logger: Logger) async {
        await self.base.handle(value: value, logger: logger)
    }
}

extension ReloadableTLSChannel: HTTPChannelHandler where BaseChannel: HTTPChannelHandler {
    public var responder: HTTPChannelHandler.Responder { self.base.responder }
}
