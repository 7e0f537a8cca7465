public import struct Foundation.Date

/// An HTTP message as the sender posted it: kept byte for byte so it can be reprocessed later.
public struct ReceivedMessage: Sendable, Hashable {
    /// The body exactly as received (JSON or XML).
    public var body: [UInt8]
    /// The request's `Content-Type`.
    public var contentType: String
    /// The authenticated sender's name from the configuration.
    public var sender: String
    /// The request's correlation id (`X-Request-ID` or one the server made up).
    public var correlationID: String
    /// When the server received it; also the `meta.lastUpdated` of every version the message writes.
    public var receivedAt: Date
    /// The FHIR interaction: `create`, `update`, `delete`, `transaction`, `batch`, `message`.
    public var interaction: String
    /// The W3C trace context of the request (`traceparent`), carried to the notifications it causes.
    public var traceparent: String?

    public init(
        body: [UInt8],
        contentType: String,
        sender: String,
        correlationID: String,
        receivedAt: Date,
        interaction: String,
        traceparent: String? = nil
    ) {
        self.body = body
        self.contentType = contentType
        self.sender = sender
        self.correlationID = correlationID
        self.receivedAt = receivedAt
        self.interaction = interaction
        self.traceparent = traceparent
    }
}

extension Date {
    /// Milliseconds since 1970, the store's time column format.
    var storeMilliseconds: Int64 { Int64((self.timeIntervalSince1970 * 1000).rounded()) }

    init(storeMilliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(storeMilliseconds) / 1000)
    }
}
