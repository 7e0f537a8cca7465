/// A failure of the store: a stable, extensible ``Code`` plus what is needed to debug it.
///
/// Callers branch on ``code``; ``sqliteCode``, ``sqlState`` and ``message`` are for logs and operators and may
/// hold the database's own text. Only ``publicMessage`` is written for the client: the HTTP edge turns the
/// codes into statuses (``Code/versionConflict`` is 412, ``Code/duplicate`` 409, …) and shows
/// ``publicMessage``, or a fixed text per code, never ``message``.
public struct StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, as a value callers can switch on without matching on text.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case versionConflict, duplicate, multipleMatches, notFound, invalidRequest, idTaken, stalePlan
            case unavailable, closed, corrupt, io, migration
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// `If-Match` named a version other than the current one (HTTP 412).
        public static let versionConflict = Code(.versionConflict)
        /// A uniqueness rule refused the write: the business identifier or id belongs to another resource,
        /// or a concurrent writer got there first (HTTP 409).
        public static let duplicate = Code(.duplicate)
        /// A conditional create matched more than one resource (HTTP 412).
        public static let multipleMatches = Code(.multipleMatches)
        /// The resource or version does not exist (HTTP 404).
        public static let notFound = Code(.notFound)
        /// The request cannot be stored as given (an empty type, a bad URL).
        public static let invalidRequest = Code(.invalidRequest)
        /// The gateway id the write names belongs to a resource of another sender, which this sender may
        /// not change (HTTP 409, with a message that says nothing of the other resource).
        public static let idTaken = Code(.idTaken)
        /// The message was planned against names or identifiers that another message changed before the
        /// commit: nothing is stored, and the server plans the message again (HTTP 409 if that keeps
        /// happening).
        public static let stalePlan = Code(.stalePlan)
        /// The database is busy, locked beyond the busy timeout, or unreachable; retrying may succeed (HTTP 503).
        public static let unavailable = Code(.unavailable)
        /// The store has shut down and takes no more work.
        public static let closed = Code(.closed)
        /// The database file is damaged or not a database.
        public static let corrupt = Code(.corrupt)
        /// Any other SQLite, PostgreSQL or file-system failure.
        public static let io = Code(.io)
        /// A schema migration failed; the database is left at the last good version.
        public static let migration = Code(.migration)

        public var description: String { self.base.rawValue }
    }

    public var code: Code
    /// The underlying SQLite result code (extended), when SQLite reported the failure.
    public var sqliteCode: Int32?
    /// The PostgreSQL SQLSTATE (`23505`, `40P01`, …), when the server reported the failure.
    public var sqlState: String?
    /// Human-readable detail for logs and operators, without message bodies or patient data; may hold the
    /// database's own text, so it never reaches a client.
    public var message: String
    /// What the client that sent the request may be told, in the domain's words; nil when the code's
    /// fixed text must do (see the HTTP edge).
    public var publicMessage: String?
    /// For ``Code/versionConflict``: the version that is current.
    public var currentVersion: Int?
    /// For a failed atomic message: the index of the write that failed it.
    public var entry: Int?

    public init(
        _ code: Code,
        _ message: String,
        publicMessage: String? = nil,
        sqliteCode: Int32? = nil,
        sqlState: String? = nil,
        currentVersion: Int? = nil,
        entry: Int? = nil
    ) {
        self.code = code
        self.message = message
        self.publicMessage = publicMessage
        self.sqliteCode = sqliteCode
        self.sqlState = sqlState
        self.currentVersion = currentVersion
        self.entry = entry
    }

    public var description: String {
        var text = "StoreError(\(self.code)): \(self.message)"
        if let sqliteCode = self.sqliteCode { text += " [sqlite \(sqliteCode)]" }
        if let sqlState = self.sqlState { text += " [sqlstate \(sqlState)]" }
        return text
    }
}
