import Dispatch
import Synchronization

/// A write waiting for the writer: runs inside its own savepoint of a group transaction, and learns the
/// group's fate through the closure it returns.
struct PendingWrite: Sendable {
    /// Called after the group transaction ends: nil when it committed, else why it did not.
    typealias Finish = @Sendable (StoreError?) -> Void

    /// Performs the write on the writer connection; `succeeded` false means its savepoint must be rolled
    /// back (the write failed on its own; the rest of the group is unaffected).
    let perform: @Sendable (inout SQLiteConnection) -> (succeeded: Bool, finish: Finish)
    /// Fails the write without performing it (the store closed, or the group could not commit).
    let fail: @Sendable (StoreError) -> Void
}

/// The queue between request tasks and the single writer: requests append, the writer takes everything
/// that is waiting as one group and commits it in one transaction (group commit).
///
/// One fsync per group instead of one per request is what lets durable commits keep up with HTTP.
///
/// The writer waits on it from a thread of its own (``waitForWrites()`` blocks), so that between two
/// groups it needs no turn on Swift's cooperative pool, where under load it queued behind every request
/// and delivery task.
final class WriteQueue: Sendable {
    private struct State {
        var pending: [PendingWrite] = []
        var isClosed = false
        /// Closed without draining: the writer stops at once and what is queued is failed.
        var isAbandoned = false
    }

    private let state = Mutex(State())
    /// Signalled once per write queued and once on close; the writer drains the whole queue per wake-up,
    /// so wake-ups left over find it empty and cost one look.
    private let wakeUp = DispatchSemaphore(value: 0)

    init() {}

    /// Queues a write for the next group.
    /// - Throws: ``StoreError/Code/closed`` once the store shuts down.
    func submit(_ write: PendingWrite) throws(StoreError) {
        let accepted = self.state.withLock { state in
            guard !state.isClosed else { return false }
            state.pending.append(write)
            return true
        }
        guard accepted else { throw StoreError(.closed, "the store is shutting down") }
        self.wakeUp.signal()
    }

    /// Blocks the calling thread until a write is queued or the queue is closed; false once it is closed
    /// and nothing is left to take, or abandoned.
    func waitForWrites() -> Bool {
        self.wakeUp.wait()
        return self.state.withLock { !$0.isAbandoned && (!$0.isClosed || !$0.pending.isEmpty) }
    }

    /// Takes up to `limit` waiting writes, oldest first (none once abandoned).
    func takeGroup(limit: Int) -> [PendingWrite] {
        self.state.withLock { state in
            let count = state.isAbandoned ? 0 : min(limit, state.pending.count)
            let group = Array(state.pending.prefix(count))
            state.pending.removeFirst(count)
            return group
        }
    }

    /// Refuses further writes and lets the writer's loop end once it has drained what is queued.
    func close() {
        self.state.withLock { $0.isClosed = true }
        self.wakeUp.signal()
    }

    /// Closes the queue and has the writer stop without taking what is still queued (cancellation).
    func abandon() {
        self.state.withLock {
            $0.isClosed = true
            $0.isAbandoned = true
        }
        self.wakeUp.signal()
    }

    /// Closes the queue and takes whatever is still waiting, for the caller to fail.
    func closeAndTakeRemaining() -> [PendingWrite] {
        self.close()
        return self.state.withLock { state in
            defer { state.pending = [] }
            return state.pending
        }
    }
}
