public import struct Foundation.Date

/// One attempt as the store records it in `delivery_attempt` (DESIGN.md §2 "records each attempt"): what
/// was sent, what came back.
public struct DeliveryAttempt: Sendable, Hashable {
    /// From 1.
    public var number: Int
    public var startedAt: Date
    /// The HTTP status, when there was a response.
    public var status: Int?
    /// The transport error, when there was no response.
    public var error: String?
    public var duration: Duration
    public var httpVersion: String?
    /// The first bytes of the response body.
    public var excerpt: [UInt8]

    public init(
        number: Int,
        startedAt: Date,
        status: Int? = nil,
        error: String? = nil,
        duration: Duration,
        httpVersion: String? = nil,
        excerpt: [UInt8] = []
    ) {
        self.number = number
        self.startedAt = startedAt
        self.status = status
        self.error = error
        self.duration = duration
        self.httpVersion = httpVersion
        self.excerpt = excerpt
    }

    /// ``duration`` in whole milliseconds, as the store keeps it.
    public var milliseconds: Int64 { self.duration.storeMilliseconds }

    /// The attempt in a few words, for the outbox row's `last_error`.
    var summary: String {
        if let status = self.status { return "HTTP \(status)" }
        return self.error ?? "no response"
    }
}

/// One outcome to record for a claimed row (``OutboxStore/completeOutbox(_:releasing:)``).
public struct OutboxCompletion: Sendable, Hashable {
    public var lease: OutboxLease
    /// Nil when nothing was sent (consent revoked, too old, no attempts left).
    public var attempt: DeliveryAttempt?
    public var resolution: OutboxResolution
    public var audit: AuditEntry?

    public init(lease: OutboxLease, attempt: DeliveryAttempt?, resolution: OutboxResolution, audit: AuditEntry?) {
        self.lease = lease
        self.attempt = attempt
        self.resolution = resolution
        self.audit = audit
    }
}

/// What becomes of a claimed row.
public enum OutboxResolution: Sendable, Hashable {
    case delivered
    /// Counted as one more attempt; due again at the given time.
    case retry(at: Date)
    case deadLetter(reason: String)
}
