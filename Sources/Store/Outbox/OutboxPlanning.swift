public import CoManagement
public import FHIRCore

public import struct Foundation.Date

/// How the ingest transaction turns an episode change into outbox rows (DESIGN.md §2 "Persist").
///
/// The planning itself (routing, consent, rendering the notification) belongs to Delivery, which sits above
/// the store in DESIGN.md §3: the store may import co-management and FHIR core only. So the composition
/// root (`tandem`) builds this value around `DeliveryPlanner` and `NotificationBuilder` and hands it to
/// ``SQLiteStore/open(at:configuration:normaliser:outboxPlanning:logger:)``; the store runs it inside the
/// same transaction that writes the episode change and inserts whatever it returns.
public struct OutboxPlanning: Sendable {
    /// One episode change as the store persists it.
    public struct Input: Sendable {
        /// The episode after the change.
        public var episode: Episode
        /// The timeline events the change added, oldest first.
        public var events: [TimelineEvent]
        /// The resources the message created or changed, as stored (with id and `meta.versionId`).
        public var resources: [Element]
        /// Per partner id, the last partner event number already in the outbox for this episode.
        public var lastEventNumbers: [String: Int]
        /// The ingest transaction's time.
        public var plannedAt: Date

        public init(
            episode: Episode,
            events: [TimelineEvent],
            resources: [Element],
            lastEventNumbers: [String: Int],
            plannedAt: Date
        ) {
            self.episode = episode
            self.events = events
            self.resources = resources
            self.lastEventNumbers = lastEventNumbers
            self.plannedAt = plannedAt
        }
    }

    /// What to write: the outbox rows and the decisions to audit (consent refusals).
    public struct Plan: Sendable {
        public var rows: [OutboxRow]
        public var audits: [AuditEntry]

        public init(rows: [OutboxRow] = [], audits: [AuditEntry] = []) {
            self.rows = rows
            self.audits = audits
        }
    }

    private let planner: @Sendable (Input) -> Plan

    public init(_ plan: @escaping @Sendable (Input) -> Plan) {
        self.planner = plan
    }

    /// What to write for one change.
    public func plan(_ input: Input) -> Plan {
        self.planner(input)
    }
}

/// One planned delivery as the outbox stores it: the body is rendered once, so every retry sends the same bytes.
public struct OutboxRow: Sendable, Hashable {
    /// Stable across retries and re-planning; the row is inserted with `INSERT OR IGNORE` on it.
    public var deliveryID: String
    public var partnerID: String
    public var episodeID: String
    /// The partner-visible event number, 1, 2, 3 … per (partner, episode).
    public var eventNumber: Int
    /// The timeline event announced.
    public var event: TimelineEvent
    public var body: [UInt8]
    /// For a row `tandem redeliver` added: the delivery id of the original row it re-sends.
    public var redeliveryOf: String?

    public init(
        deliveryID: String,
        partnerID: String,
        episodeID: String,
        eventNumber: Int,
        event: TimelineEvent,
        body: [UInt8],
        redeliveryOf: String? = nil
    ) {
        self.deliveryID = deliveryID
        self.partnerID = partnerID
        self.episodeID = episodeID
        self.eventNumber = eventNumber
        self.event = event
        self.body = body
        self.redeliveryOf = redeliveryOf
    }
}

/// One leased outbox row: what the forwarder needs to attempt it.
public struct ClaimedOutboxRow: Sendable, Hashable {
    /// The outbox row's key.
    public var id: Int64
    public var row: OutboxRow
    /// When the row's retry budget began: its planning, or an operator's retry of it since
    /// (``DeliveryAdministration/retry(_:by:now:)``); the retry policy's maximum age counts from here.
    public var createdAt: Date
    /// Attempts whose outcome was recorded since ``createdAt`` (the whole history stays in the store).
    public var attempts: Int
    /// When the next attempt was due, for a row that has failed before.
    public var retryAt: Date?
    /// The lease token ``SQLiteStore/completeOutbox(id:leaseToken:attempt:resolution:audit:)`` checks.
    public var leaseToken: String
    /// The episode's current document (JSON of the co-management `Episode`); nil if the episode is gone.
    public var episodeDocument: [UInt8]?
}

extension ClaimedOutboxRow {
    /// What ``OutboxStore/releaseOutbox(_:)`` needs to give this row back.
    public var lease: OutboxLease { OutboxLease(id: self.id, token: self.leaseToken) }
}

/// A leased outbox row as its claimant names it: the row's key and the claim's lease token.
public struct OutboxLease: Sendable, Hashable {
    public var id: Int64
    public var token: String

    public init(id: Int64, token: String) {
        self.id = id
        self.token = token
    }
}

/// One outcome to record for a claimed row (``OutboxStore/completeOutbox(_:releasing:)``).
public struct OutboxCompletion: Sendable, Hashable {
    public var lease: OutboxLease
    public var attempt: OutboxAttempt?
    public var resolution: OutboxResolution
    public var audit: AuditEntry?

    public init(lease: OutboxLease, attempt: OutboxAttempt?, resolution: OutboxResolution, audit: AuditEntry?) {
        self.lease = lease
        self.attempt = attempt
        self.resolution = resolution
        self.audit = audit
    }
}

/// One attempt to record in `delivery_attempt`.
public struct OutboxAttempt: Sendable, Hashable {
    public var number: Int
    public var startedAt: Date
    public var status: Int?
    public var error: String?
    public var durationMilliseconds: Int64
    public var httpVersion: String?
    /// The first bytes of the response body.
    public var excerpt: [UInt8]

    public init(
        number: Int,
        startedAt: Date,
        status: Int?,
        error: String?,
        durationMilliseconds: Int64,
        httpVersion: String?,
        excerpt: [UInt8]
    ) {
        self.number = number
        self.startedAt = startedAt
        self.status = status
        self.error = error
        self.durationMilliseconds = durationMilliseconds
        self.httpVersion = httpVersion
        self.excerpt = excerpt
    }
}

/// What becomes of a claimed row.
public enum OutboxResolution: Sendable, Hashable {
    case delivered
    /// Counted as one more attempt; due again at the given time.
    case retry(at: Date)
    case deadLetter(reason: String)
}

extension OutboxPlanning {
    /// Plans one episode change of an ingestion, as either backend's ingest transaction does: `at` is the
    /// message's store time, `lastEventNumbers` the last event number per partner the outbox holds.
    func plan(
        _ change: Ingestion.EpisodeChange,
        resources: [Element],
        lastEventNumbers: [String: Int],
        at: Int64
    ) -> Plan {
        self.plan(
            Input(
                episode: change.episode,
                events: change.events,
                resources: resources,
                lastEventNumbers: lastEventNumbers,
                plannedAt: Date(storeMilliseconds: at)
            )
        )
    }
}
