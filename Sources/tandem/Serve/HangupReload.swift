import Logging
import ServiceLifecycle
import UnixSignals

/// Runs every reload on SIGHUP, one signal at a time, in the order given: the operator's one way to make a
/// running gateway read its files again without dropping a connection.
struct HangupReload: Service {
    let reloads: [@Sendable () async -> Void]
    let logger: Logger

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        await cancelWhenGracefulShutdown {
            for await _ in signals {
                self.logger.info("SIGHUP: reloading")
                for reload in self.reloads { await reload() }
            }
        }
    }
}
