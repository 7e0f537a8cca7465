/// The logic of `tandem sink`: a partner endpoint that checks signatures, finds gaps and duplicates and
/// misbehaves on a schedule. Pure; the command's HTTP handler feeds it and performs what it decides.
///
/// Per request the handler first asks ``nextBehaviour()``: a scheduled failure is answered without
/// looking at the delivery; otherwise (after any scheduled delay) ``accept(_:now:)`` verifies and records it.
public struct PartnerSink: Sendable {
    /// The `X-Tandem-*` fields and body of one arriving request.
    public struct Arrival: Sendable, Hashable {
        public var deliveryID: String?
        public var partner: String?
        public var episode: String?
        public var eventNumber: String?
        public var timestamp: String?
        public var signature: String?
        /// `X-Tandem-Redelivery-Of`, on a deliberate re-send.
        public var redeliveryOf: String?
        /// `X-Tandem-Notification`: `handshake` or `heartbeat` for a subscription's notifications that
        /// announce no event.
        public var notification: String?
        /// The W3C `traceparent` the notification continues.
        public var traceparent: String?
        public var body: [UInt8]

        public init(
            deliveryID: String?,
            partner: String?,
            episode: String?,
            eventNumber: String?,
            timestamp: String?,
            signature: String?,
            redeliveryOf: String? = nil,
            notification: String? = nil,
            traceparent: String? = nil,
            body: [UInt8]
        ) {
            self.deliveryID = deliveryID
            self.partner = partner
            self.episode = episode
            self.eventNumber = eventNumber
            self.timestamp = timestamp
            self.signature = signature
            self.redeliveryOf = redeliveryOf
            self.notification = notification
            self.traceparent = traceparent
            self.body = body
        }
    }

    /// What to answer and the line to print.
    public struct Receipt: Sendable, Hashable {
        public var status: Int
        public var line: String
        /// Nil when the delivery was refused before reaching the ledger.
        public var verdict: SinkLedger.Verdict?
    }

    public let verifier: SignatureVerifier
    public private(set) var schedule: FailureSchedule
    public private(set) var ledger = SinkLedger()

    public init(verifier: SignatureVerifier, schedule: FailureSchedule = FailureSchedule()) {
        self.verifier = verifier
        self.schedule = schedule
    }

    /// The scheduled behaviour for the request that just arrived.
    public mutating func nextBehaviour() -> FailureSchedule.Behaviour { self.schedule.next() }

    /// The line for a request failed on purpose.
    public static func failureLine(_ arrival: Arrival, behaviour: FailureSchedule.Behaviour) -> String {
        Self.describe(arrival) + " failed on purpose (\(behaviour))"
    }

    /// Verifies and records a delivery; a duplicate is answered 200 too, as an idempotent partner would.
    /// - Parameter now: Unix seconds, for the signature's timestamp tolerance.
    public mutating func accept(_ arrival: Arrival, now: Int64) -> Receipt {
        let signature = self.verifier.verify(
            body: arrival.body,
            timestamp: arrival.timestamp,
            signature: arrival.signature,
            now: now
        )
        let described = Self.describe(arrival)
        guard signature.isAcceptable else {
            return Receipt(status: 401, line: described + " rejected: \(signature)", verdict: nil)
        }
        if let notification = arrival.notification {
            return Receipt(
                status: 200,
                line: described + " \(notification) (\(signature), \(arrival.body.count) bytes)",
                verdict: nil
            )
        }
        guard let deliveryID = arrival.deliveryID, let episode = arrival.episode,
            let eventNumber = arrival.eventNumber.flatMap({ Int($0) })
        else {
            return Receipt(status: 400, line: described + " rejected: missing X-Tandem-* fields", verdict: nil)
        }
        let verdict = self.ledger.record(
            deliveryID: deliveryID,
            partner: arrival.partner ?? "-",
            episode: episode,
            eventNumber: eventNumber,
            redeliveryOf: arrival.redeliveryOf
        )
        // The trace id, when the notification continues one, so a partner's log joins the sender's.
        let parts = arrival.traceparent?.split(separator: "-") ?? []
        let trace = parts.count == 4 && parts[1].count == 32 ? " trace=\(parts[1])" : ""
        return Receipt(
            status: 200,
            line: described + " \(verdict) (\(signature), \(arrival.body.count) bytes)\(trace)",
            verdict: verdict
        )
    }

    private static func describe(_ arrival: Arrival) -> String {
        "delivery=\(arrival.deliveryID ?? "-") event=\(arrival.eventNumber ?? "-") episode=\(arrival.episode ?? "-")"
            + " partner=\(arrival.partner ?? "-")"
    }
}
