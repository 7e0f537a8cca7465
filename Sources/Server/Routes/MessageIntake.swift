import Store

/// Plans one sender's message into store writes (``WritePlan``) and stores it, planning again when the
/// writer finds that a concurrent message changed what the plan rested on.
struct MessageIntake: Sendable {
    let store: any Store
    let metrics: GatewayMetrics

    /// How often a message is planned before a stale plan is answered 409.
    static let planningAttempts = 3

    /// Stores writes that succeed or fail together (a create, an update, a transaction, a message).
    func atomic(_ entries: [BundleEntry], received: ReceivedMessage) async throws -> IngestResult {
        var attempt = 1
        while true {
            let plan = try await WritePlan.atomic(entries, sender: received.sender, store: self.store)
            let message = IngestMessage(received: received, writes: plan.writes, atomic: true)
            do {
                let result = try await self.metrics.timeStore("ingest") { try await self.store.ingest(message) }
                self.metrics.recordUnmatched(result.unmatchedReferrals, sender: received.sender)
                return result
            } catch let error as StoreError where error.code == .stalePlan && attempt < Self.planningAttempts {
                attempt += 1
            }
        }
    }

    /// Stores a batch: each entry succeeds or fails on its own.
    func batch(
        _ entries: [Result<BundleEntry, FHIRError>],
        received: ReceivedMessage
    ) async throws -> (
        WritePlan, IngestResult
    ) {
        let plan = try await WritePlan.batch(entries, sender: received.sender, store: self.store)
        let message = IngestMessage(received: received, writes: plan.writes, atomic: false)
        let result = try await self.metrics.timeStore("ingest") { try await self.store.ingest(message) }
        self.metrics.recordUnmatched(result.unmatchedReferrals, sender: received.sender)
        return (plan, result)
    }
}
