import FHIRCore

/// What the HTTP edge needs from the configuration.
public struct GatewaySettings: Sendable {
    /// Who may post, with their token hashes and allowed types.
    public var senders: [Sender]
    /// Largest request body accepted; larger ones get 413.
    public var maximumBodyBytes: Int

    public init(senders: [Sender], maximumBodyBytes: Int = 4 << 20) {
        self.senders = senders
        self.maximumBodyBytes = maximumBodyBytes
    }

    /// Reader limits that match the body limit.
    var readLimits: ReadLimits {
        var limits = ReadLimits.default
        limits.maxBytes = self.maximumBodyBytes
        return limits
    }
}
