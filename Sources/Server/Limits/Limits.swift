/// Limits that protect the gateway from clients that send too much, too fast or too slowly.
///
/// Every limit is on by default; a zero turns the rate limit or the concurrency cap off.
public struct Limits: Sendable, Hashable {
    /// Requests a second each client may make on average (by account, or by address before it is
    /// known); more are answered 429 with `Retry-After`.
    public var requestsPerSecond: Double
    /// Requests a client may make at once above the average.
    public var burst: Int
    /// Requests handled at once across all clients; more are answered 503 with `Retry-After`.
    public var maximumConcurrentRequests: Int
    /// Requests one client may have in flight at once; more are answered 429 with `Retry-After`.
    public var maximumConcurrentRequestsPerClient: Int
    /// The time a client has for a whole request, head and body, counted from the end of the previous
    /// response (or the connection's start); a connection still sending then is closed. Also how long an
    /// idle keep-alive connection stays open.
    public var requestTimeout: Duration
    /// Largest request header field, in bytes.
    public var maximumHeaderFieldBytes: Int
    /// Largest request head (all header fields), in bytes.
    public var maximumHeaderBytes: Int
    /// Most header fields in one request.
    public var maximumHeaderCount: Int
    /// How often requests refused by the rate limit are written to the audit trail, as one counted
    /// record per client.
    public var refusalSummaryInterval: Duration

    public init(
        requestsPerSecond: Double = 200,
        burst: Int = 400,
        maximumConcurrentRequests: Int = 256,
        maximumConcurrentRequestsPerClient: Int = 64,
        requestTimeout: Duration = .seconds(30),
        maximumHeaderFieldBytes: Int = 8 * 1024,
        maximumHeaderBytes: Int = 32 * 1024,
        maximumHeaderCount: Int = 100,
        refusalSummaryInterval: Duration = .seconds(10)
    ) {
        self.requestsPerSecond = requestsPerSecond
        self.burst = burst
        self.maximumConcurrentRequests = maximumConcurrentRequests
        self.maximumConcurrentRequestsPerClient = maximumConcurrentRequestsPerClient
        self.requestTimeout = requestTimeout
        self.maximumHeaderFieldBytes = maximumHeaderFieldBytes
        self.maximumHeaderBytes = maximumHeaderBytes
        self.maximumHeaderCount = maximumHeaderCount
        self.refusalSummaryInterval = refusalSummaryInterval
    }
}
