import PostgresNIO

/// The text of a statement an ingest runs on every message: PostgreSQL parses and plans it once per
/// connection and then runs it by name, instead of planning it again for each message.
///
/// Placeholders are numbered (`$1`, `$2`, …) and bound in order by the caller's `PostgresBindings`.
///
/// In the ingest transaction these run on one generic plan per connection (the message's first
/// statement sets `plan_cache_mode`), made without the values and with the statistics of that moment
/// (none in a new database, so every table looks a few pages long) and kept while the connection lives.
/// Write each lookup so an index is the plan's only sensible path: a row per key probed by equality (a
/// correlated subquery, `LATERAL … OFFSET 0` for several rows, or `= ANY` of an array computed first),
/// not a join against `unnest` or `= ANY($n)` in a subquery, whose plan can be a sequential scan.
protocol PreparedStatementText {
    static var sql: String { get }
}

extension String {
    /// This statement text with each placeholder `$n` renumbered `$(n + offset)`: the text's part of a
    /// statement whose bindings follow `offset` others.
    func placeholdersShifted(by offset: Int) -> String {
        var shifted = ""
        var rest = self[...]
        while let dollar = rest.firstIndex(of: "$") {
            shifted += rest[...dollar]
            let digits = rest[rest.index(after: dollar)...].prefix(while: \.isASCII).prefix(while: \.isNumber)
            if let number = Int(digits) { shifted += String(number + offset) }
            rest = rest[digits.endIndex...]
        }
        return shifted + rest
    }
}

/// A ``PreparedStatementText`` with its bindings, as postgres-nio prepares and runs it.
struct PreparedStatement<Text: PreparedStatementText>: PostgresPreparedStatement {
    typealias Row = PostgresRow

    static var name: String { "tandem.\(String(describing: Text.self))" }
    static var sql: String { Text.sql }

    let bindings: PostgresBindings

    func makeBindings() throws -> PostgresBindings { self.bindings }
    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}

extension PostgresSession {
    /// Runs a prepared statement and collects its rows.
    @discardableResult
    func query<Text: PreparedStatementText>(
        _ text: Text.Type,
        _ bindings: PostgresBindings
    ) async throws(StoreError) -> [PostgresRow] {
        do {
            var rows: [PostgresRow] = []
            for try await row in try await self.connection.execute(
                PreparedStatement<Text>(bindings: bindings),
                logger: self.logger
            ) {
                rows.append(row)
            }
            return rows
        } catch {
            throw StoreError(postgres: error)
        }
    }
}
