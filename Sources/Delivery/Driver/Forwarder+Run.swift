import Foundation
import Store

extension Forwarder {
    /// Claimed rows of one (partner, episode) stream, in stream order: its head and the rows the queue
    /// leased with it. The forwarder sends them one after the other in one slot, each only once the one
    /// before was delivered, so a partner hears an episode's next event one round trip after the last
    /// instead of after another claim.
    struct Run: Sendable {
        /// Never empty.
        var rows: [ClaimedDelivery]
        /// When the claim's lease runs out, by the driver's clock.
        var leaseEnds: Date

        /// What became of a run: the outcomes of the rows attempted, in order, to be recorded, and the
        /// rows not attempted, to be given back.
        struct Result: Sendable {
            var outcomes: [(claimed: ClaimedDelivery, outcome: DeliveryOutcome)] = []
            var unattempted: [ClaimedDelivery] = []
        }

        /// Splits a claim made at `claimedAt` with `lease` into runs: consecutive rows of one stream form
        /// one run.
        static func runs(of rows: [ClaimedDelivery], claimedAt: Date, lease: Duration) -> [Run] {
            let leaseEnds = claimedAt.addingTimeInterval(lease.inSeconds)
            var runs: [Run] = []
            for row in rows {
                if let last = runs.last?.rows.last,
                    last.entry.delivery.partnerID == row.entry.delivery.partnerID,
                    last.entry.delivery.episodeID == row.entry.delivery.episodeID
                {
                    runs[runs.count - 1].rows.append(row)
                } else {
                    runs.append(Run(rows: [row], leaseEnds: leaseEnds))
                }
            }
            return runs
        }

        /// Whether the row after `previous` may be sent now: only after a delivery, and only while a
        /// request with the partner's whole timeout still ends inside the lease (past it, another claim
        /// may take the row).
        func mayContinue(after previous: DeliveryOutcome, timeout: Duration, now: Date) -> Bool {
            guard case .markDelivered = previous.action else { return false }
            return now.addingTimeInterval(timeout.inSeconds) < self.leaseEnds
        }
    }
}
