import Synchronization

/// Keeps the WAL from growing without end under steady writes.
///
/// SQLite starts the WAL again from its beginning only when a write transaction begins after a
/// checkpoint has copied every frame. The background checkpointer runs beside the writer, which appends
/// while it copies, so under steady load it never catches up: the WAL grows without end, every commit
/// writes into new file pages and every page lookup searches an ever longer WAL index, so ingest and
/// claims slow the longer the load lasts (docs/performance.md, "SQLite store").
///
/// So when the checkpointer sees the WAL past ``SQLiteStore/Configuration/walRestartFrames`` it raises
/// this request, and the writer, between two groups, checkpoints the remainder itself (a few hundred
/// milliseconds of frames, the rest already copied); the next group then writes from the WAL's start.
final class WALRestart: Sendable {
    private let requested = Atomic<Bool>(false)

    func request() {
        self.requested.store(true, ordering: .relaxed)
    }

    /// Whether a restart was requested since the last call; clears the request.
    func takeRequest() -> Bool {
        self.requested.exchange(false, ordering: .relaxed)
    }
}
