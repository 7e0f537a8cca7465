/// Why a request got no HTTP response: the transport's error, with a stable code and what debugging needs.
public struct TransportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, extensible error code; new codes may be added, so switch with a `default`.
    public struct Kind: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The request or the connection took longer than the partner's timeout.
        public static let timeout = Kind(rawValue: "timeout")
        /// Nothing accepted the connection (refused, unreachable).
        public static let connectionFailed = Kind(rawValue: "connection-failed")
        /// The endpoint's host name did not resolve.
        public static let hostNotFound = Kind(rawValue: "host-not-found")
        /// The TLS handshake or certificate verification failed.
        public static let tls = Kind(rawValue: "tls")
        /// The connection broke before a whole response arrived.
        public static let connectionLost = Kind(rawValue: "connection-lost")
        /// The request cannot be sent as configured (malformed URL, unsupported scheme): retrying cannot help.
        public static let invalidRequest = Kind(rawValue: "invalid-request")
        /// The transport is shutting down.
        public static let shutdown = Kind(rawValue: "shutdown")
        /// Anything else the transport reported.
        public static let other = Kind(rawValue: "other")

        /// Whether a later attempt may succeed; only a request that cannot be sent as configured may not.
        public var isRetryable: Bool { self != .invalidRequest }

        public var description: String { self.rawValue }
    }

    public var kind: Kind
    /// The libcurl `CURLcode`, when libcurl reported the error.
    public var curlCode: Int?
    public var message: String

    public init(_ kind: Kind, curlCode: Int? = nil, _ message: String) {
        self.kind = kind
        self.curlCode = curlCode
        self.message = message
    }

    public var description: String {
        var text = "transport error [\(self.kind)]"
        if let curlCode = self.curlCode { text += " (curl \(curlCode))" }
        return text + ": " + self.message
    }
}
