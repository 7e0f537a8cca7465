import Synchronization

/// A ``SQLiteConnection`` behind a lock, so the thread-pool threads that use it take turns.
///
/// The connection is opened `NOMUTEX` (SQLite does no locking of its own); this lock is what keeps two
/// threads out of it at once. It is only taken on the store's thread pool, never on the cooperative pool.
final class ConnectionSlot: Sendable {
    private let connection: Mutex<SQLiteConnection>

    init(_ connection: consuming sending SQLiteConnection) {
        self.connection = Mutex(connection)
    }

    /// Runs `body` with exclusive use of the connection. Blocks: call on the thread pool only.
    func withConnection<Value: Sendable>(
        _ body: (inout SQLiteConnection) throws(StoreError) -> Value
    ) throws(StoreError) -> Value {
        try self.connection.withLock { (connection: inout SQLiteConnection) throws(StoreError) -> Value in
            try body(&connection)
        }
    }

    /// Closes the connection; later uses fail with ``StoreError/Code/closed``.
    func close() {
        self.connection.withLock { $0.close() }
    }
}
