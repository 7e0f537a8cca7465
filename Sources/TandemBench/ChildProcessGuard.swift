import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Stops a process a benchmark started when the benchmark itself is interrupted (Ctrl-C, or SIGTERM from
/// `timeout`): its `defer` does not run then, and an orphaned `tandem serve` kept loading the machine for
/// every later measurement. While the guard lives, SIGINT and SIGTERM terminate the child, wait for it,
/// run `cleanUp` (the child's temporary files) and exit with the signal's status; ``release()`` restores
/// the default handling.
final class ChildProcessGuard: @unchecked Sendable {
    // @unchecked: the sources are set once in init and only cancelled in release().
    private var sources: [any DispatchSourceSignal] = []
    private static let signals: [Int32] = [SIGINT, SIGTERM]

    init(_ child: Process, cleanUp: @escaping @Sendable () -> Void = {}) {
        for number in Self.signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                child.stop()
                cleanUp()
                exit(128 + number)
            }
            source.resume()
            self.sources.append(source)
        }
    }

    func release() {
        for source in self.sources { source.cancel() }
        self.sources = []
        for number in Self.signals { signal(number, SIG_DFL) }
    }
}

extension Process {
    /// Sends SIGTERM and waits for the process to exit; past `grace`, SIGKILL. Returns whether it had to
    /// be killed. `waitUntilExit()` alone would wait for ever on a child that does not stop, and on Linux
    /// it waits by polling: a benchmark whose gateway hung at shutdown spun a core for ten minutes.
    @discardableResult
    func stop(grace: Duration = .seconds(10)) -> Bool {
        guard self.isRunning else { return false }
        self.terminate()
        let deadline = ContinuousClock.now + grace
        while self.isRunning, ContinuousClock.now < deadline { usleep(20_000) }
        let killed = self.isRunning
        if killed { kill(self.processIdentifier, SIGKILL) }
        self.waitUntilExit()
        return killed
    }
}
