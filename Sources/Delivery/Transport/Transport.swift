public import Foundation

/// Sends one delivery request and reports what came back. ``CurlTransport`` is the real one; tests use fakes.
///
/// An HTTP response of any status is a ``DeliveryResponse``; only a request that got no response is a
/// ``TransportError``. Implementations must not block the calling task's thread.
public protocol Transport: Sendable {
    func send(_ request: DeliveryRequest) async -> Result<DeliveryResponse, TransportError>
}

/// One POST to a partner, ready to send: built by ``DeliveryRequestBuilder``, the same bytes on every retry
/// except the timestamp and signature.
///
/// `tandem replay --to` sends its FHIR requests through the same transport: ``method`` may then be `PUT`,
/// and ``responseLimit`` is raised so the whole OperationOutcome of a refusal comes back.
public struct DeliveryRequest: Sendable, Hashable {
    /// Connections are reused per partner; this is the key.
    public var partnerID: String
    public var url: URL
    /// Header fields in order, `Content-Type`, authentication and the `X-Tandem-*` fields included.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    public var timeout: Duration
    public var tls: TLSSettings
    /// `POST` for every delivery; `PUT` for a replayed resource with an id.
    public var method: String
    /// How many bytes of the response body ``DeliveryResponse/excerpt`` keeps (512 for the attempt record).
    public var responseLimit: Int

    public init(
        partnerID: String,
        url: URL,
        headers: [(name: String, value: String)],
        body: [UInt8],
        timeout: Duration,
        tls: TLSSettings = TLSSettings(),
        method: String = "POST",
        responseLimit: Int = 512
    ) {
        self.partnerID = partnerID
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.tls = tls
        self.method = method
        self.responseLimit = responseLimit
    }

    /// The value of the first header with this name (case-insensitive).
    public func header(_ name: String) -> String? {
        self.headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    public static func == (lhs: DeliveryRequest, rhs: DeliveryRequest) -> Bool {
        lhs.partnerID == rhs.partnerID && lhs.url == rhs.url && lhs.body == rhs.body && lhs.timeout == rhs.timeout
            && lhs.tls == rhs.tls && lhs.method == rhs.method && lhs.responseLimit == rhs.responseLimit
            && lhs.headers.elementsEqual(rhs.headers) { $0 == $1 }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.partnerID)
        hasher.combine(self.url)
        hasher.combine(self.body)
        hasher.combine(self.method)
        for header in self.headers {
            hasher.combine(header.name)
            hasher.combine(header.value)
        }
    }
}

/// TLS settings of one request; verification is always on (there is deliberately no switch to turn it off).
public struct TLSSettings: Sendable, Hashable {
    /// PEM CA bundle verifying the partner; nil uses the system's.
    public var caBundlePath: String?
    /// Client certificate and key (PEM paths) for mutual TLS.
    public var clientCertificatePath: String?
    public var clientKeyPath: String?
    public var clientKeyPassword: String?

    public init(
        caBundlePath: String? = nil,
        clientCertificatePath: String? = nil,
        clientKeyPath: String? = nil,
        clientKeyPassword: String? = nil
    ) {
        self.caBundlePath = caBundlePath
        self.clientCertificatePath = clientCertificatePath
        self.clientKeyPath = clientKeyPath
        self.clientKeyPassword = clientKeyPassword
    }
}

/// What the partner answered: everything the attempt record keeps.
public struct DeliveryResponse: Sendable, Hashable {
    public var status: Int
    /// The raw `Retry-After` value, when present; parse with ``RetryAfter/init(headerValue:)``.
    public var retryAfter: String?
    /// The first bytes of the body (at most the request's ``DeliveryRequest/responseLimit``).
    public var excerpt: [UInt8]
    /// From just before sending until the whole response was read.
    public var duration: Duration
    /// The HTTP version the exchange used (`1.1`, `2`).
    public var httpVersion: String?

    public init(
        status: Int,
        retryAfter: String? = nil,
        excerpt: [UInt8] = [],
        duration: Duration = .zero,
        httpVersion: String? = nil
    ) {
        self.status = status
        self.retryAfter = retryAfter
        self.excerpt = excerpt
        self.duration = duration
        self.httpVersion = httpVersion
    }

    /// The excerpt as text, with invalid UTF-8 repaired.
    public var excerptText: String { String(decoding: self.excerpt, as: UTF8.self) }
}
