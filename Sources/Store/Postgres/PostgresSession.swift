import Logging
import NIOCore
import PostgresNIO

/// One leased PostgreSQL connection with the logger its queries use, and the mapping of every failure to
/// a ``StoreError``.
///
/// Every query passes `logger:`: without it postgres-nio picks an older overload that returns a future,
/// and `await` would not wait for the statement (PLATFORM-NOTES).
struct PostgresSession: Sendable {
    let connection: PostgresConnection
    let logger: Logger

    /// Runs one statement and collects its rows.
    @discardableResult
    func query(_ query: PostgresQuery) async throws(StoreError) -> [PostgresRow] {
        do {
            return try await self.connection.query(query, logger: self.logger).collect()
        } catch {
            throw StoreError(postgres: error)
        }
    }

    /// Runs one statement without parameters (transaction control, savepoints, DDL).
    func execute(_ sql: String) async throws(StoreError) {
        try await self.query(PostgresQuery(unsafeSQL: sql))
    }

    /// Runs `body` in a transaction: BEGIN, then COMMIT when it returns, ROLLBACK when it throws.
    ///
    /// Not postgres-nio's `withTransaction`: that wraps every failure in `PostgresTransactionError`, and the
    /// store's callers need the ``StoreError`` the body threw (a version conflict, a duplicate).
    func transaction<Value>(
        _ body: (PostgresSession) async throws(StoreError) -> Value
    ) async throws(StoreError) -> Value {
        try await self.execute("BEGIN")
        let value: Value
        do {
            value = try await body(self)
        } catch {
            try? await self.execute("ROLLBACK")
            throw error
        }
        try await self.execute("COMMIT")
        return value
    }

    /// Runs `body` in a savepoint: a failure rolls back only what `body` did, and the transaction goes on.
    func savepoint<Value>(
        _ name: String,
        _ body: (PostgresSession) async throws(StoreError) -> Value
    ) async throws(StoreError) -> Result<Value, StoreError> {
        try await self.execute("SAVEPOINT \(name)")
        do {
            let value = try await body(self)
            try await self.execute("RELEASE SAVEPOINT \(name)")
            return .success(value)
        } catch {
            try await self.execute("ROLLBACK TO SAVEPOINT \(name)")
            try await self.execute("RELEASE SAVEPOINT \(name)")
            return .failure(error)
        }
    }
}

extension StoreError {
    /// A postgres-nio failure as a store error: SQLSTATE class 23 (a unique, foreign-key or check rule
    /// refused the write) is ``Code/duplicate``, as SQLite's constraint failures are; deadlocks,
    /// serialisation failures, lock timeouts and an unreachable server are ``Code/unavailable``.
    init(postgres error: any Error) {
        if let error = error as? StoreError {
            self = error
            return
        }
        guard let error = error as? PSQLError else {
            self.init(.io, "PostgreSQL: \(error)")
            return
        }
        if error.code == .poolClosed {
            self.init(.closed, "the store is closed")
            return
        }
        guard let info = error.serverInfo, let state = info[.sqlState] else {
            // No server answer: the connection failed, closed or timed out.
            self.init(.unavailable, "PostgreSQL is unreachable: \(error.code)")
            return
        }
        let message = info[.message] ?? "\(error.code)"
        let code: StoreError.Code =
            switch state {
            case _ where state.hasPrefix("23"): .duplicate
            case "40001", "40P01", "55P03", "53300", "57P01", "57P03": .unavailable
            case "XX001", "XX002": .corrupt
            default: .io
            }
        self.init(code, "PostgreSQL: \(message)", sqlState: state)
    }
}

extension [UInt8] {
    /// The bytes as a `bytea` parameter.
    var bytea: ByteBuffer { ByteBuffer(bytes: self) }

    init(bytea buffer: ByteBuffer?) {
        self = buffer.map { Array($0.readableBytesView) } ?? []
    }
}

extension PostgresRow {
    /// Decodes the row's columns as a tuple, mapping a type mismatch to ``StoreError/Code/corrupt``.
    func columns<each Column: PostgresDecodable>(
        _ types: (repeat each Column).Type
    ) throws(StoreError) -> (repeat each Column) {
        do {
            return try self.decode(types)
        } catch {
            throw StoreError(.corrupt, "PostgreSQL returned an unexpected row: \(error)")
        }
    }
}
