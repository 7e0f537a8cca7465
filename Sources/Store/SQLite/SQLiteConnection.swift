internal import CSQLite3

/// Owns one `sqlite3` handle and the statements prepared on it; `deinit` finalises and closes them.
///
/// Non-copyable so that exactly one owner can close the handle. Every method makes blocking SQLite calls:
/// run them on the store's `NIOThreadPool`, never on the cooperative pool, and never from two threads at
/// once (the store keeps each connection behind a `Mutex`; the handle is opened `NOMUTEX`).
struct SQLiteConnection: ~Copyable {
    private var handle: OpaquePointer?
    /// Prepared statements by SQL text. Preparing costs more than running the small statements the
    /// store issues, so each text is prepared once per connection and reset between uses.
    private var statements: [String: OpaquePointer] = [:]

    /// Opens (creating when `readOnly` is false) the database at `path`; `":memory:"` is a private
    /// in-memory database.
    init(path: String, readOnly: Bool) throws(StoreError) {
        var handle: OpaquePointer?
        let access = readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        let status = sqlite3_open_v2(path, &handle, access | SQLITE_OPEN_NOMUTEX, nil)
        guard status == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(handle)
            throw SQLiteConnection.error(status, "cannot open database: \(message)")
        }
        self.handle = handle
        // Extended codes tell SQLITE_CONSTRAINT_UNIQUE from other constraint failures.
        sqlite3_extended_result_codes(handle, 1)
    }

    deinit {
        for statement in self.statements.values { sqlite3_finalize(statement) }
        if let handle = self.handle { sqlite3_close_v2(handle) }
    }

    /// Finalises the statements and closes the handle now; later calls fail with ``StoreError/Code/closed``.
    mutating func close() {
        for statement in self.statements.values { sqlite3_finalize(statement) }
        self.statements = [:]
        if let handle = self.handle { sqlite3_close_v2(handle) }
        self.handle = nil
    }

    /// The prepared statements that have stepped through a table or index from end to end, with the
    /// number of such steps since each was prepared (`SQLITE_STMTSTATUS_FULLSCAN_STEP`): what tests
    /// check to show a message's statements find their rows by key.
    func fullScanSteps() -> [String: Int] {
        var steps: [String: Int] = [:]
        for (sql, statement) in self.statements {
            let count = Int(sqlite3_stmt_status(statement, SQLITE_STMTSTATUS_FULLSCAN_STEP, 0))
            if count > 0 { steps[sql] = count }
        }
        return steps
    }

    /// Runs one or more statements that take no parameters and return no rows (pragmas, DDL).
    func execute(_ sql: String) throws(StoreError) {
        let handle = try self.openHandle()
        var errorText: UnsafeMutablePointer<CChar>?
        let status = sqlite3_exec(handle, sql, nil, nil, &errorText)
        if status != SQLITE_OK {
            let message = errorText.map { String(cString: $0) } ?? "unknown error"
            sqlite3_free(errorText)
            throw SQLiteConnection.error(status, message)
        }
    }

    /// Runs one statement with the given parameters and returns all its rows.
    @discardableResult
    mutating func query(_ sql: String, _ bindings: [SQLiteValue] = []) throws(StoreError) -> [SQLiteRow] {
        let handle = try self.openHandle()
        let statement = try self.prepared(sql, on: handle)
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        for (offset, value) in bindings.enumerated() {
            try self.check(SQLiteConnection.bind(value, at: Int32(offset + 1), in: statement), handle)
        }
        var rows: [SQLiteRow] = []
        while true {
            let status = sqlite3_step(statement)
            if status == SQLITE_DONE { return rows }
            guard status == SQLITE_ROW else {
                try self.check(status, handle)
                return rows
            }
            rows.append(SQLiteConnection.row(of: statement))
        }
    }

    /// Rows changed by the most recent INSERT, UPDATE or DELETE.
    ///
    /// With ``lastInsertedRowID`` this is how the writer's hot statements learn what they did: a
    /// `RETURNING` clause costs SQLite an ephemeral table per execution (docs/performance.md).
    var changes: Int {
        self.handle.map { Int(sqlite3_changes($0)) } ?? 0
    }

    /// The rowid of the most recent successful INSERT on this connection.
    var lastInsertedRowID: Int64 {
        self.handle.map { sqlite3_last_insert_rowid($0) } ?? 0
    }

    private func openHandle() throws(StoreError) -> OpaquePointer {
        guard let handle = self.handle else { throw StoreError(.closed, "the connection is closed") }
        return handle
    }

    private mutating func prepared(_ sql: String, on handle: OpaquePointer) throws(StoreError) -> OpaquePointer {
        if let statement = self.statements[sql] { return statement }
        var statement: OpaquePointer?
        let status = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard status == SQLITE_OK, let statement else {
            throw SQLiteConnection.error(status, String(cString: sqlite3_errmsg(handle)) + " in: \(sql)")
        }
        self.statements[sql] = statement
        return statement
    }

    private func check(_ status: Int32, _ handle: OpaquePointer) throws(StoreError) {
        guard status != SQLITE_OK, status != SQLITE_DONE, status != SQLITE_ROW else { return }
        throw SQLiteConnection.error(status, String(cString: sqlite3_errmsg(handle)))
    }

    private static func bind(_ value: SQLiteValue, at index: Int32, in statement: OpaquePointer) -> Int32 {
        switch value {
        case .null:
            return sqlite3_bind_null(statement, index)
        case .integer(let integer):
            return sqlite3_bind_int64(statement, index, integer)
        case .text(let text):
            var text = text
            return text.withUTF8 { utf8 in
                utf8.withMemoryRebound(to: CChar.self) {
                    csqlite_bind_text(statement, index, $0.baseAddress, Int32($0.count))
                }
            }
        case .blob(let bytes):
            return bytes.withUnsafeBytes { csqlite_bind_blob(statement, index, $0.baseAddress, Int32($0.count)) }
        }
    }

    private static func row(of statement: OpaquePointer) -> SQLiteRow {
        var values: [SQLiteValue] = []
        let count = sqlite3_column_count(statement)
        values.reserveCapacity(Int(count))
        for column in 0..<count {
            switch sqlite3_column_type(statement, column) {
            case SQLITE_INTEGER:
                values.append(.integer(sqlite3_column_int64(statement, column)))
            case SQLITE_TEXT:
                values.append(.text(sqlite3_column_text(statement, column).map { String(cString: $0) } ?? ""))
            case SQLITE_BLOB, SQLITE_FLOAT:
                // The store writes no floats; a float read back is returned as its bytes, never lost.
                let count = Int(sqlite3_column_bytes(statement, column))
                let bytes = sqlite3_column_blob(statement, column)
                values.append(.blob(bytes.map { Array(UnsafeRawBufferPointer(start: $0, count: count)) } ?? []))
            default:
                values.append(.null)
            }
        }
        return SQLiteRow(values: values)
    }

    /// Maps a SQLite result code to the store's error codes.
    static func error(_ status: Int32, _ message: String) -> StoreError {
        let code: StoreError.Code =
            switch status & 0xFF {
            case SQLITE_CONSTRAINT: .duplicate
            case SQLITE_BUSY, SQLITE_LOCKED: .unavailable
            case SQLITE_CORRUPT, SQLITE_NOTADB: .corrupt
            default: .io
            }
        return StoreError(code, message, sqliteCode: status)
    }
}
