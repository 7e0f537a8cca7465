import Crypto
import FHIRCore

/// The `X-Tandem-Signature` scheme: `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`.
///
/// Signing the timestamp with the body lets a partner reject a replayed request whose timestamp is
/// stale (the sink's `SignatureVerifier`), the way Stripe and GitHub webhooks do.
public enum DeliverySignature {
    /// The header field names every delivery request carries.
    public enum Header {
        public static let deliveryID = "X-Tandem-Delivery-Id"
        public static let eventNumber = "X-Tandem-Event-Number"
        public static let timestamp = "X-Tandem-Timestamp"
        public static let signature = "X-Tandem-Signature"
        public static let episode = "X-Tandem-Episode"
        public static let partner = "X-Tandem-Partner"
        public static let attempt = "X-Tandem-Attempt"
        /// On a deliberate re-send (`tandem redeliver`) only: the delivery id of the original delivery.
        public static let redeliveryOf = "X-Tandem-Redelivery-Of"
        /// On a subscription's handshake or heartbeat only (`handshake`, `heartbeat`): it announces no event.
        public static let notification = "X-Tandem-Notification"
    }

    /// The signature header value for a body sent at `timestamp` (Unix seconds).
    public static func sign(body: [UInt8], timestamp: Int64, secret: String) -> String {
        "sha256=" + LowercaseHex.string(self.mac(body: body, timestamp: timestamp, secret: secret))
    }

    /// The raw HMAC: what ``sign(body:timestamp:secret:)`` writes as hex, and what a verifier compares.
    package static func mac(body: [UInt8], timestamp: Int64, secret: String) -> [UInt8] {
        var hmac = HMAC<SHA256>(key: SymmetricKey(data: Array(secret.utf8)))
        hmac.update(data: Array("\(timestamp).".utf8))
        hmac.update(data: body)
        return Array(hmac.finalize())
    }
}
