import Crypto
import FHIRCore

/// Delivery ids: derived, not random, so planning the same event for the same partner twice (a retried
/// ingest transaction) yields the same id and the partner can drop the duplicate. A deliberate re-send
/// (`tandem redeliver`) gets a new, random id instead, and names this one in `X-Tandem-Redelivery-Of`.
public enum DeliveryID {
    /// A UUID-shaped id (version 8, RFC 9562 §5.8) from SHA-256 over the partner, episode and timeline event.
    public static func make(partnerID: String, episodeID: String, timelineEvent: Int) -> String {
        // NUL separators: ids never contain NUL, so no two inputs share a hashed string.
        let input = "tandem-delivery\u{0}\(partnerID)\u{0}\(episodeID)\u{0}\(timelineEvent)"
        var bytes = Array(SHA256.hash(data: Array(input.utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x80  // version 8: custom
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 9562 variant
        return [0..<4, 4..<6, 6..<8, 8..<10, 10..<16].map { LowercaseHex.string(bytes[$0]) }.joined(separator: "-")
    }
}
