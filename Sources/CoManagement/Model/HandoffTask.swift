/// A hand-off Tandem watches until the receiving party answers: a referral its performer should accept,
/// or a phase the service line hands from one role to another (``ServiceLine/HandoffRule``).
///
/// A FHIR `Task` tracks it, as HL7's BSeR guide has a Referral Task track a referral: `requester` the
/// handing party, `owner` the receiving one, `focus` the ServiceRequest or CarePlan, `status` and
/// `businessStatus` the answer. When the sender sent such a Task, that one is tracked; otherwise Tandem
/// creates one of its own (``HandoffTaskResources``), which the owner answers at Tandem.
public struct HandoffTask: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// A referral to accept or decline.
        case referral
        /// A phase handed off, to acknowledge.
        case handoff
    }

    /// Stable key: `referral|REFERRAL-KEY`, or `handoff|PHASE|FROM|TO`; also the value of the identifier
    /// Tandem's own Task carries (``HandoffTaskResources/identifierSystem``).
    public var key: String
    public var kind: Kind
    /// The resource handed over: the referral's `ServiceRequest/id`, or the care plan's `CarePlan/id`.
    public var focus: String?
    /// Participant keys: who hands over, and who should take it.
    public var requester: String
    public var owner: String
    /// When the hand-off was asked for: the referral's `authoredOn`, or the handoff's effective time.
    public var authoredOn: String?
    /// When the owner should have answered by (the service line's `expectations`); absent without one.
    public var dueBy: String?
    /// The held Task that tracks it (`Task/id`): the sender's, else Tandem's own; absent until one exists.
    public var task: String?
    /// Tandem's own Task for this hand-off (`Task/id`), whether or not it is the one tracked.
    public var tandemTask: String?
    /// The tracked Task's `status` (`requested` before any Task exists).
    public var status: String
    /// When the owner answered (accepted, declined, acknowledged); absent while it has not.
    public var answeredAt: String?
    /// True once ``dueBy`` passed, at the time the episode was evaluated, with no answer.
    public var escalated: Bool?

    public init(key: String, kind: Kind, requester: String, owner: String) {
        self.key = key
        self.kind = kind
        self.requester = requester
        self.owner = owner
        self.status = "requested"
    }

    /// Whether the owner answered: ``answeredAt`` is set, or the tracked Task is closed.
    public var isAnswered: Bool {
        self.answeredAt != nil
            || ["rejected", "cancelled", "completed", "failed", "entered-in-error"].contains(self.status)
    }
}

extension HandoffTask {
    /// The key of a referral's hand-off task.
    public static func key(ofReferral referralKey: String) -> String { "referral|\(referralKey)" }

    /// The key of a handoff's task.
    public static func key(of handoff: Handoff) -> String { "handoff|\(handoff.phase)|\(handoff.from)|\(handoff.to)" }
}
