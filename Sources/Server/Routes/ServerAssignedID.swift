import Foundation

/// The ids the server assigns to created resources, Bundles and responses: UUID version 7 (RFC 9562
/// §5.7), lower case.
///
/// A version 7 UUID begins with the Unix time in milliseconds, so ids assigned one after another sort
/// one after another. The store's keys on (type, id) then grow at their right edge, as a sequence would,
/// instead of landing on a random page of each index: a group commit dirties a handful of pages rather
/// than one per index per resource. The remaining 74 bits are random, so ids stay unguessable and
/// unique across replicas without coordination.
enum ServerAssignedID {
    static func make(now: Date = Date()) -> String {
        var generator = SystemRandomNumberGenerator()
        return self.make(milliseconds: UInt64(max(0, now.timeIntervalSince1970 * 1000)), using: &generator)
    }

    static func make(milliseconds: UInt64, using generator: inout some RandomNumberGenerator) -> String {
        let random = (UInt64.random(in: .min ... .max, using: &generator), generator.next() as UInt64)
        let high = (milliseconds & 0xFFFF_FFFF_FFFF) << 16 | 0x7000 | (random.0 & 0x0FFF)
        let low = 0x8000_0000_0000_0000 | (random.1 & 0x3FFF_FFFF_FFFF_FFFF)
        let hex = Self.hex(high, digits: 16) + Self.hex(low, digits: 16)
        let utf8 = Array(hex.utf8)
        // 8-4-4-4-12
        let groups = [utf8[0..<8], utf8[8..<12], utf8[12..<16], utf8[16..<20], utf8[20..<32]]
        return groups.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "-")
    }

    private static func hex(_ value: UInt64, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: digits - text.count) + text
    }
}
