import Crypto
import FHIRCore
import Foundation

/// The ids the gateway gives resources, Bundles and responses: UUIDs, lower case.
///
/// A resource its sender gave an id of its own gets a **derived** id (``derived(sender:type:senderID:)``):
/// UUID version 8 (RFC 9562 §5.8) over the SHA-256 of the sender, the type and the sender's id. The same
/// sender's `Patient/p1` always lands on the same gateway id, on every replica and in `replay --dry-run`,
/// and another sender's `Patient/p1` lands elsewhere.
///
/// Anything else gets a random UUID version 7 (RFC 9562 §5.7, ``make(now:)``), which begins with the Unix
/// time in milliseconds: ids assigned one after another sort one after another, so the store's keys on
/// (type, id) grow at their right edge, as a sequence would, instead of landing on a random page of each
/// index. The remaining 74 bits are random, so ids stay unguessable and unique across replicas.
enum ServerAssignedID {
    static func make(now: Date = Date()) -> String {
        var generator = SystemRandomNumberGenerator()
        return self.make(milliseconds: UInt64(max(0, now.timeIntervalSince1970 * 1000)), using: &generator)
    }

    static func make(milliseconds: UInt64, using generator: inout some RandomNumberGenerator) -> String {
        let random = (UInt64.random(in: .min ... .max, using: &generator), generator.next() as UInt64)
        let high = (milliseconds & 0xFFFF_FFFF_FFFF) << 16 | 0x7000 | (random.0 & 0x0FFF)
        let low = 0x8000_0000_0000_0000 | (random.1 & 0x3FFF_FFFF_FFFF_FFFF)
        return self.text(
            (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * $0)) }
                + (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * $0)) }
        )
    }

    /// The gateway id of a sender's own `Type/senderID`: stable, and different for every sender.
    static func derived(sender: String, type: String, senderID: String) -> String {
        let name = Array("tandem-resource\u{0}\(sender)\u{0}\(type)\u{0}\(senderID)".utf8)
        var bytes = Array(SHA256.hash(data: name).prefix(16))
        bytes[6] = 0x80 | (bytes[6] & 0x0F)  // version 8
        bytes[8] = 0x80 | (bytes[8] & 0x3F)  // variant 10
        return self.text(bytes)
    }

    /// 16 bytes as `8-4-4-4-12` lower-case hex.
    private static func text(_ bytes: [UInt8]) -> String {
        let hex = Array(LowercaseHex.string(bytes).utf8)
        let groups = [hex[0..<8], hex[8..<12], hex[12..<16], hex[16..<20], hex[20..<32]]
        return groups.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "-")
    }
}
