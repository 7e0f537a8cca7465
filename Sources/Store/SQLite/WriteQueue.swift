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
final class WriteQueue: Sendable {
    private struct State {
        var pending: [PendingWrite] = []
        var isClosed = false
    }

    private let state = Mutex(State())
    /// Wakes the writer; buffering one element is enough because the writer drains the whole queue.
    let wakeUps: AsyncStream<Void>
    private let wakeUp: AsyncStream<Void>.Continuation

    init() {
        (self.wakeUps, self.wakeUp) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Queues a write for the next group.
    /// - Throws: ``StoreError/Code/closed`` once the store shuts down.
    func submit(_ write: PendingWrite) throws(StoreError) {
        let accepted = self.state.withLock { state in
            guard !state.isClosed else { return false }
            state.pending.append(write)
            return true
        }
        guard accepted else { throw StoreError(.closed, "the store is shutting down") }
        self.wakeUp.yield()
    }

    /// Takes up to `limit` waiting writes, oldest first.
    func takeGroup(limit: Int) -> [PendingWrite] {
        self.state.withLock { state in
            let count = min(limit, state.pending.count)
            let group = Array(state.pending.prefix(count))
            state.pending.removeFirst(count)
            return group
        }
    }

    /// Refuses further writes and lets the writer's loop end once it has drained what is queued.
    func close() {
        self.state.withLock { $0.isClosed = true }
        self.wakeUp.finish()
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
