import PostgresNIO

/// Builds one statement from fragments whose parameters are written `?`, numbering them `$1`, `$2`, … in
/// order: for the searches, whose conditions depend on the parameters a client sent.
struct PostgresQueryBuilder {
    private(set) var sql = ""
    private var binds = PostgresBindings()
    private var count = 0

    init(_ sql: String = "") {
        self.sql = sql
    }

    /// Appends `fragment`, binding `values` to its `?`s in order.
    mutating func add(_ fragment: String, _ values: any PostgresDynamicTypeEncodable...) {
        var values = values[...]
        for character in fragment {
            guard character == "?", let value = values.popFirst() else {
                self.sql.append(character)
                continue
            }
            self.count += 1
            self.sql += "$\(self.count)"
            self.binds.append(value)
        }
    }

    var query: PostgresQuery { PostgresQuery(unsafeSQL: self.sql, binds: self.binds) }
}
