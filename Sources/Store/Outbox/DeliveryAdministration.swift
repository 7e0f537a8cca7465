public import struct Foundation.Date

/// What integration engineers do to the outbox by hand (`tandem deliveries …`, `tandem redeliver`): look at
/// deliveries and their attempts, give failed ones another go, and re-send what a partner already had.
///
/// Backend-neutral: every ``OutboxStore`` (``SQLiteStore``, ``PostgresStore``) implements it with the same
/// semantics. Every method that changes a row writes an audit entry in the same transaction, naming the
/// actor. Safe beside a running gateway: a row the forwarder holds a lease on is never changed; SQLite's
/// changes go through the store's own writer, PostgreSQL's lock the rows they change.
public protocol DeliveryAdministration: Sendable {
    /// Deliveries matching the query, newest first.
    func deliveries(_ query: DeliveryQuery) async throws(StoreError) -> [DeliveryRecord]

    /// One delivery with its body and every attempt, oldest first; nil when there is none.
    func delivery(_ key: DeliveryKey) async throws(StoreError) -> DeliveryDetail?

    /// Makes a dead or failed delivery due now, keeping its attempts. A dead row gets a fresh retry budget
    /// (the policy's attempts and age count again from `now`), or it would be dead-lettered again unsent.
    ///
    /// - Throws: ``StoreError/Code/notFound`` when there is no such delivery; ``StoreError/Code/invalidRequest``
    ///   when it is delivered, in flight (leased), or pending and never attempted.
    func retry(_ key: DeliveryKey, by actor: String, now: Date) async throws(StoreError) -> DeliveryRecord

    /// Puts every dead delivery (of one partner, or of all when `partner` is nil) back to pending, due now,
    /// each with a fresh retry budget as ``retry(_:by:now:)`` gives. Returns the rows changed.
    func requeueDead(partner: String?, by actor: String, now: Date) async throws(StoreError) -> [DeliveryRecord]

    /// Re-sends delivered events: one new row per delivered original row of the partner (optionally one
    /// episode, optionally planned at or after `since`), with the same event, event number and body but a
    /// new delivery id, and ``DeliveryRecord/redeliveryOf`` naming the original. Returns the new rows.
    func redeliver(_ request: Redelivery, by actor: String, now: Date) async throws(StoreError) -> [DeliveryRecord]
}

/// Names one delivery: by its outbox row number or by its delivery id.
public enum DeliveryKey: Sendable, Hashable, CustomStringConvertible {
    case row(Int64)
    case deliveryID(String)

    /// Digits name a row; anything else is a delivery id.
    public init(_ text: String) {
        if let row = Int64(text), row > 0 { self = .row(row) } else { self = .deliveryID(text) }
    }

    public var description: String {
        switch self {
        case .row(let row): "row \(row)"
        case .deliveryID(let id): "delivery \(id)"
        }
    }
}

/// Which deliveries ``DeliveryAdministration/deliveries(_:)`` lists.
public struct DeliveryQuery: Sendable, Hashable {
    public var partner: String?
    public var episode: String?
    public var state: DeliveryState?
    public var limit: Int

    public init(partner: String? = nil, episode: String? = nil, state: DeliveryState? = nil, limit: Int = 50) {
        self.partner = partner
        self.episode = episode
        self.state = state
        self.limit = max(0, limit)
    }
}

/// What ``DeliveryAdministration/redeliver(_:by:now:)`` re-sends.
public struct Redelivery: Sendable, Hashable {
    public var partner: String
    public var episode: String?
    /// Only rows planned at or after this moment.
    public var since: Date?

    public init(partner: String, episode: String? = nil, since: Date? = nil) {
        self.partner = partner
        self.episode = episode
        self.since = since
    }
}
