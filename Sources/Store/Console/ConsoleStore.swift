public import struct Foundation.Date

/// What the operations console (`/console`) keeps in and reads from the store beyond the ``Store`` and
/// ``DeliveryAdministration`` it shares with the API and the CLI: operators' sessions, the messages as
/// received, and the outbox summed up by partner.
///
/// Sessions live in the store so that every replica on one PostgreSQL database accepts a session another
/// replica opened, and a sign-out at one replica ends it at all of them.
public protocol ConsoleStore: Sendable {
    /// Stores a new session; sessions expired before `now` are forgotten on the way.
    func openConsoleSession(_ session: ConsoleSessionRecord, now: Date) async throws(StoreError)

    /// The session whose token hashes to `tokenHash`, unless it has expired by `now`.
    func consoleSession(tokenHash: String, now: Date) async throws(StoreError) -> ConsoleSessionRecord?

    /// Ends the session whose token hashes to `tokenHash` (sign-out); nothing when there is none.
    func closeConsoleSession(tokenHash: String) async throws(StoreError)

    /// The audit records of messages, newest first: each accepted message's writes (they name the
    /// message) and each message refused at the edge (a failed `bundle`, `create` or `update`).
    func messageTrail(limit: Int) async throws(StoreError) -> [AuditEntry]

    /// One accepted message as the sender posted it, or nil when there is none.
    func message(id: Int64) async throws(StoreError) -> MessageRecord?

    /// Per partner: the rows waiting (pending or in flight), the earliest due, the oldest waiting, the dead.
    /// Partners with no waiting and no dead row are absent.
    func outboxByPartner() async throws(StoreError) -> [PartnerOutbox]

    /// The most recent delivery attempts of every partner, newest first.
    func recentAttempts(limit: Int) async throws(StoreError) -> [RecordedAttempt]
}

extension AuditEntry {
    /// The SQL condition of ``ConsoleStore/messageTrail(limit:)``, the same on both backends.
    static let messageCondition =
        "message_id IS NOT NULL OR (action IN ('bundle', 'create', 'update') AND outcome <> '0')"
}

/// One operator's console session, as the store keeps it: the token itself is never stored, only its hash.
public struct ConsoleSessionRecord: Sendable, Hashable {
    /// Lower-case hex SHA-256 of the session token the cookie carries.
    public var tokenHash: String
    /// The operator's name from the configuration.
    public var operatorName: String
    /// The token every change must carry (a form's hidden field).
    public var csrfToken: String
    public var createdAt: Date
    public var expiresAt: Date

    public init(tokenHash: String, operatorName: String, csrfToken: String, createdAt: Date, expiresAt: Date) {
        self.tokenHash = tokenHash
        self.operatorName = operatorName
        self.csrfToken = csrfToken
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// An accepted message with its row number, as the store keeps it (``ReceivedMessage``).
public struct MessageRecord: Sendable, Hashable {
    public var id: Int64
    public var message: ReceivedMessage

    public init(id: Int64, message: ReceivedMessage) {
        self.id = id
        self.message = message
    }
}

/// One partner's outbox at a glance.
public struct PartnerOutbox: Sendable, Hashable {
    public var partner: String
    /// Rows pending or leased.
    public var waiting: Int
    /// The earliest next attempt of a waiting row.
    public var nextDue: Date?
    /// When the oldest waiting row was planned.
    public var oldestWaiting: Date?
    public var dead: Int

    public init(partner: String, waiting: Int, nextDue: Date?, oldestWaiting: Date?, dead: Int) {
        self.partner = partner
        self.waiting = waiting
        self.nextDue = nextDue
        self.oldestWaiting = oldestWaiting
        self.dead = dead
    }
}

/// A delivery attempt with the row it was made for.
public struct RecordedAttempt: Sendable, Hashable {
    public var partner: String
    public var row: Int64
    public var deliveryID: String
    public var attempt: DeliveryAttempt

    public init(partner: String, row: Int64, deliveryID: String, attempt: DeliveryAttempt) {
        self.partner = partner
        self.row = row
        self.deliveryID = deliveryID
        self.attempt = attempt
    }
}

extension PartnerOutbox {
    /// Merges the waiting and dead counts read separately (each over its own partial index).
    static func merge(
        waiting: [(partner: String, count: Int, nextDue: Date?, oldest: Date?)],
        dead: [(partner: String, count: Int)]
    ) -> [PartnerOutbox] {
        var byPartner: [String: PartnerOutbox] = [:]
        for row in waiting {
            byPartner[row.partner] = PartnerOutbox(
                partner: row.partner,
                waiting: row.count,
                nextDue: row.nextDue,
                oldestWaiting: row.oldest,
                dead: 0
            )
        }
        for row in dead {
            byPartner[
                row.partner,
                default: PartnerOutbox(partner: row.partner, waiting: 0, nextDue: nil, oldestWaiting: nil, dead: 0)
            ]
            .dead = row.count
        }
        return byPartner.values.sorted { $0.partner < $1.partner }
    }
}
