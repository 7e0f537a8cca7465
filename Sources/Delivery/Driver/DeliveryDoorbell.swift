import Synchronization

/// Tells an idle ``Forwarder`` that new outbox rows may be due, so it claims them now rather than at its
/// next poll.
///
/// Why: between polls a new row waits up to the whole poll interval, which at the default 100 ms would
/// be most of the ingest-to-partner latency budget. ``OutboxPlanner`` rings it when the ingest transaction
/// plans rows. Rings coalesce: however many arrive while the forwarder is busy, it wakes once. A missed or
/// spurious ring costs only latency or one empty claim, never a delivery: the poll stays as the fallback
/// (another replica's rows, retries falling due).
public final class DeliveryDoorbell: Sendable {
    private struct State {
        var rung = false
        var waiter: CheckedContinuation<Bool, Never>?
    }

    private let state = Mutex(State())

    public init() {}

    /// Wakes the waiting forwarder, or the next one to wait. Cheap; safe from any thread.
    public func ring() {
        let waiter = self.state.withLock { state -> CheckedContinuation<Bool, Never>? in
            guard let waiter = state.waiter else {
                state.rung = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume(returning: true)
    }

    /// Returns after a ring (at once if one came since the last wait), or after `timeout`, or when the
    /// task is cancelled; whichever is first. Whether it rang. One waiter at a time (the forwarder's loop).
    @discardableResult
    func wait(atMost timeout: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            group.addTask { await self.nextRing() }
            let rang = await group.next() ?? false
            group.cancelAll()
            return rang
        }
    }

    /// Whether it rang (false: cancelled).
    private func nextRing() async -> Bool {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let resumeNow = self.state.withLock { state -> Bool? in
                    if state.rung {
                        state.rung = false
                        return true
                    }
                    // Cancelled before waiting: leave any later ring for the next wait.
                    if Task.isCancelled { return false }
                    state.waiter = continuation
                    return nil
                }
                if let rang = resumeNow { continuation.resume(returning: rang) }
            }
        } onCancel: {
            let waiter = self.state.withLock { state -> CheckedContinuation<Bool, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: false)
        }
    }
}
