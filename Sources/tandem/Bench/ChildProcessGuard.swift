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
                if child.isRunning {
                    child.terminate()
                    child.waitUntilExit()
                }
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
