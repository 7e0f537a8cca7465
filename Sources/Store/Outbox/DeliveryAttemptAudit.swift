/// How a delivery attempt reads in the audit trail (DESIGN.md §2 "Audit"): both backends write one
/// `delivery-attempt` record per attempt, in the transaction that records the attempt, naming the
/// subscription, the episode and the delivery; rendered as an AuditEvent of type Export.
struct DeliveryAttemptAudit {
    /// Store milliseconds the attempt started at.
    var at: Int64
    var outcome: AuditEntry.Outcome
    /// `attempt 2: HTTP 503 in 120 ms`.
    var detail: String

    init(_ attempt: DeliveryAttempt) {
        self.at = attempt.startedAt.storeMilliseconds
        switch attempt.status {
        case .some(200..<300): self.outcome = .success
        case .some(400..<500): self.outcome = .minorFailure
        default: self.outcome = .seriousFailure
        }
        self.detail = "attempt \(attempt.number): \(attempt.summary) in \(attempt.milliseconds) ms"
    }
}
