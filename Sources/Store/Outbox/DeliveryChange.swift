import CoManagement
import FHIRCore
import Foundation

/// What ``DeliveryAdministration`` does to one outbox row and how it is audited, decided from the row's
/// record alone, so the SQLite and PostgreSQL stores refuse, change and audit exactly alike.
enum DeliveryChange: Sendable, Hashable {
    /// Dead → pending, due now, with a fresh retry budget.
    case retryDead
    /// Failed and waiting for its next attempt: only the wait is cut short; its budget is not spent.
    case retryNow
    /// Dead → pending as part of `requeue-dead`.
    case requeueDead
    /// A new row re-sending a delivered one.
    case redeliver

    /// The audit action; both retries are one action to an auditor, the detail says which.
    var action: String {
        switch self {
        case .retryDead, .retryNow: "delivery-retry"
        case .requeueDead: "delivery-requeue"
        case .redeliver: "delivery-redeliver"
        }
    }

    /// What a retry of `record` does.
    ///
    /// - Throws: ``StoreError/Code/invalidRequest`` when the row is delivered, in flight (leased), or pending
    ///   and never attempted.
    static func retry(_ record: DeliveryRecord, key: DeliveryKey) throws(StoreError) -> DeliveryChange {
        switch record.state {
        case .dead: .retryDead
        case .pending where record.attempts > 0: .retryNow
        case .pending:
            throw StoreError(.invalidRequest, "\(key) has not been attempted yet; the forwarder sends it when due")
        case .leased:
            throw StoreError(.invalidRequest, "\(key) is in flight (leased by a forwarder); try again shortly")
        case .delivered:
            throw StoreError(.invalidRequest, "\(key) was delivered; `tandem redeliver` re-sends delivered events")
        }
    }

    /// The audit entry recording this change to `record` (for a redelivery: the new row), written in the
    /// change's transaction.
    func audit(_ record: DeliveryRecord, by actor: String, now: Int64) -> AuditEntry {
        let detail =
            switch self {
            case .retryDead, .requeueDead: "was dead: \(record.lastError ?? "-")"
            case .retryNow: "due now"
            case .redeliver: "redelivery of \(record.redeliveryOf ?? "-")"
            }
        return AuditEntry(
            at: Date(storeMilliseconds: now),
            action: self.action,
            outcome: .success,
            resourceReference: "Episode/\(record.episodeID)",
            detail: """
                partner \(record.partnerID), delivery \(record.deliveryID) (row \(record.row)), event \
                \(record.eventNumber), by \(actor): \(detail)
                """
        )
    }
}

extension DeliveryRecord {
    /// The stored event and state of outbox row `row`, decoded.
    ///
    /// - Throws: ``StoreError/Code/corrupt`` for an unreadable event or an unknown state.
    static func decode(event: [UInt8], state: String, row: Int64) throws(StoreError) -> (TimelineEvent, DeliveryState) {
        let decoded = try OutboxEvent.decode(event, row: row)
        guard let state = DeliveryState(rawValue: state) else {
            throw StoreError(.corrupt, "outbox row \(row) has an unknown state '\(state)'")
        }
        return (decoded, state)
    }

    /// A fresh delivery id for a redelivery. Random, not derived (``DeliveryID``): each redelivery is a
    /// deliberate new delivery, and a partner that drops repeated delivery ids must still process it.
    static func redeliveryID() -> String { UUID().uuidString.lowercased() }
}
