/// A value bound to, or read from, a SQLite statement.
enum SQLiteValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case text(String)
    case blob([UInt8])

    init(_ text: String?) {
        self = text.map { .text($0) } ?? .null
    }

    init(_ integer: Int) {
        self = .integer(Int64(integer))
    }
}

/// One result row, read by column index in the order of the `SELECT`.
struct SQLiteRow: Sendable {
    let values: [SQLiteValue]

    func integer(_ column: Int) -> Int64? {
        if case .integer(let value) = self.values[column] { return value }
        return nil
    }

    func int(_ column: Int) -> Int {
        self.integer(column).map { Int($0) } ?? 0
    }

    func text(_ column: Int) -> String? {
        if case .text(let value) = self.values[column] { return value }
        return nil
    }

    func blob(_ column: Int) -> [UInt8] {
        switch self.values[column] {
        case .blob(let bytes): bytes
        case .text(let text): Array(text.utf8)
        default: []
        }
    }
}
