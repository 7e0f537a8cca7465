import FHIRCore

/// What the HTTP edge needs from the configuration.
public struct GatewaySettings: Sendable {
    /// Who may post, with their token hashes and allowed types.
    public var senders: [Sender]
    /// Partners given a token to read back what they are routed.
    public var partners: [PartnerAccount]
    /// Who may read everything.
    public var operators: [Operator]
    /// The decision when no Consent applies to an episode, for partners' reads as for deliveries.
    public var consentDefaultPermit: Bool
    /// Largest request body accepted; larger ones get 413.
    public var maximumBodyBytes: Int

    public init(
        senders: [Sender],
        partners: [PartnerAccount] = [],
        operators: [Operator] = [],
        consentDefaultPermit: Bool = true,
        maximumBodyBytes: Int = 4 << 20
    ) {
        self.senders = senders
        self.partners = partners
        self.operators = operators
        self.consentDefaultPermit = consentDefaultPermit
        self.maximumBodyBytes = maximumBodyBytes
    }

    /// Reader limits that match the body limit.
    var readLimits: ReadLimits {
        var limits = ReadLimits.default
        limits.maxBytes = self.maximumBodyBytes
        return limits
    }
}
