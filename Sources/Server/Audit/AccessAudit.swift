import Logging
import Store
import Synchronization

/// Writes the audit records of reads, searches and refusals, many requests' records in one store write.
///
/// A request's answer waits until its record is committed, so nothing is disclosed that the trail does
/// not hold. The first request to find no write under way writes its record with every other one waiting
/// by then; requests that arrive meanwhile queue, and the first of them writes the next batch when the
/// current one has committed (group commit by hand-over, with no background task). On SQLite that batch
/// is one write in the writer's next group, beside ingests; on PostgreSQL one transaction.
final class AccessAudit: Sendable {
    private enum Turn {
        case done(Result<Void, StoreError>)
        case write
    }

    private struct Waiting {
        var entry: AuditEntry
        var continuation: CheckedContinuation<Turn, Never>
    }

    private struct State {
        var writing = false
        var queue: [Waiting] = []
    }

    /// Most records in one write.
    static let maximumBatch = 512

    let store: any Store
    private let state = Mutex(State())

    init(store: any Store) {
        self.store = store
    }

    /// Records `entry`, returning once it is committed.
    ///
    /// - Throws: ``StoreError`` when the store could not commit it.
    func record(_ entry: AuditEntry) async throws(StoreError) {
        let leads = self.state.withLock { state -> Bool in
            if state.writing { return false }
            state.writing = true
            return true
        }
        if !leads {
            let turn = await withCheckedContinuation { continuation in
                let queued = self.state.withLock { state -> Bool in
                    guard state.writing else {
                        state.writing = true
                        return false
                    }
                    state.queue.append(Waiting(entry: entry, continuation: continuation))
                    return true
                }
                if !queued { continuation.resume(returning: .write) }
            }
            switch turn {
            case .done(let result): return try result.get()
            case .write: break
            }
        }
        // This request writes: its own record and every one queued, then hands over to the next waiter.
        let batch = self.state.withLock { state -> [Waiting] in
            let count = min(state.queue.count, Self.maximumBatch - 1)
            defer { state.queue.removeFirst(count) }
            return Array(state.queue.prefix(count))
        }
        let result: Result<Void, StoreError>
        do throws(StoreError) {
            try await self.store.record([entry] + batch.map(\.entry))
            result = .success(())
        } catch {
            result = .failure(error)
        }
        for waiting in batch { waiting.continuation.resume(returning: .done(result)) }
        let next = self.state.withLock { state -> Waiting? in
            guard !state.queue.isEmpty else {
                state.writing = false
                return nil
            }
            return state.queue.removeFirst()
        }
        next?.continuation.resume(returning: .write)
        try result.get()
    }
}
