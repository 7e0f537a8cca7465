import Hummingbird
import Synchronization

/// How many POSTs a bench server answered 201, read by `scripts/bench-ingest.sh` at `GET /count` before
/// and after a run: its "committed" requests, the ones its CPU and written bytes are divided by.
final class AnswerCount: Sendable {
    private let count = Atomic<Int>(0)

    func increment() {
        self.count.add(1, ordering: .relaxed)
    }

    /// Adds `GET /count`, answering the count as plain text.
    func addRoute(to router: Router<BasicRequestContext>) {
        router.get("count") { _, _ -> String in
            "\(self.count.load(ordering: .relaxed))\n"
        }
    }
}
