import NIOCore
import NIOHTTPTypes

/// Closes a connection whose client takes longer than the deadline to send a whole request, head and
/// body, counted from the connection's start or the end of the previous response.
///
/// An idle timeout resets on every byte, so a client that trickles a byte now and then (slowloris) keeps
/// a connection, and the handler task behind it, forever; a deadline for the whole request does not. While
/// the gateway works on a request the clock stands still; a keep-alive connection left idle past the
/// deadline is closed too.
final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let timeout: TimeAmount
    private var deadline: Scheduled<Void>?

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.arm(context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.disarm()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.disarm()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .end = self.unwrapInboundIn(data) { self.disarm() }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = self.unwrapOutboundIn(data) { self.arm(context) }
        context.write(data, promise: promise)
    }

    private func arm(_ context: ChannelHandlerContext) {
        self.disarm()
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        self.deadline = context.eventLoop.assumeIsolated().scheduleTask(in: self.timeout) {
            loopBound.value.close(promise: nil)
        }
    }

    private func disarm() {
        self.deadline?.cancel()
        self.deadline = nil
    }
}
