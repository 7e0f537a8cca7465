/// What the patient consented to share, and with whom, as the Consent resources say.
///
/// Delivery asks ``permits(_:)`` when it plans a notification and again before sending it.
public struct ConsentState: Sendable, Hashable, Codable {
    public enum Decision: String, Sendable, Hashable, Codable {
        /// No Consent applies: the gateway's configured default decides.
        case noConsent = "no-consent"
        case permit
        case deny
    }

    /// The base decision of the active Consent (`provision.type`), or ``Decision/noConsent``.
    public var decision: Decision
    /// Parties a provision denies (`provision.provision[type=deny].actor`), by key.
    public var deniedParties: [String]
    /// Parties a provision explicitly permits, by key.
    public var permittedParties: [String]
    public var purposes: [Coding]
    public var period: Period?
    public var sources: [String]

    public init() {
        self.decision = .noConsent
        self.deniedParties = []
        self.permittedParties = []
        self.purposes = []
        self.sources = []
    }

    /// Whether the party (by key) may receive this episode's data, with `defaultPermit` for no Consent.
    public func permits(_ partyKeys: [String], defaultPermit: Bool) -> Bool {
        if partyKeys.contains(where: self.deniedParties.contains) { return false }
        switch self.decision {
        case .noConsent: return defaultPermit
        case .permit: return true
        case .deny: return partyKeys.contains(where: self.permittedParties.contains)
        }
    }
}
