public import Store

/// What became of one claimed row: the store applies ``action`` to the row in the same transaction that
/// inserts ``attempt`` and audits ``refusal``.
public struct DeliveryOutcome: Sendable, Hashable {
    public var action: DeliveryStateMachine.Action
    /// Nil when nothing was sent (consent revoked, too old, no attempts left, episode or partner gone).
    public var attempt: DeliveryAttempt?
    /// The consent refusal to audit, when the second consent check failed.
    public var refusal: ConsentDecision?

    public init(action: DeliveryStateMachine.Action, attempt: DeliveryAttempt?, refusal: ConsentDecision?) {
        self.action = action
        self.attempt = attempt
        self.refusal = refusal
    }
}
