import Crypto
import FHIRCore

/// A W3C Trace Context `traceparent` (https://www.w3.org/TR/trace-context/#traceparent-header):
/// `00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>`. The ingest request's is kept with the message
/// and its outbox rows, and each notification attempt continues the same trace as a span of its own.
public struct TraceParent: Sendable, Hashable, CustomStringConvertible {
    public var traceID: String
    public var parentID: String
    public var flags: String

    /// Reads a header value; nil when it is not a version-00 traceparent with non-zero ids.
    public init?(_ text: String) {
        let parts = text.trimmingASCIISpaces.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 4, parts[0].count == 2, parts[0] != "ff", Self.isHex(parts[0]),
            parts[1].count == 32, Self.isHex(parts[1]), parts[1] != String(repeating: "0", count: 32),
            parts[2].count == 16, Self.isHex(parts[2]), parts[2] != String(repeating: "0", count: 16),
            parts[3].count == 2, Self.isHex(parts[3])
        else { return nil }
        self.traceID = parts[1]
        self.parentID = parts[2]
        self.flags = parts[3]
    }

    public init(traceID: String, parentID: String, flags: String = "01") {
        self.traceID = traceID
        self.parentID = parentID
        self.flags = flags
    }

    /// A new trace, for a request that came without one: ids from random bytes.
    public static func random() -> TraceParent {
        var generator = SystemRandomNumberGenerator()
        let trace = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let parent = (0..<8).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return TraceParent(traceID: LowercaseHex.string(trace), parentID: LowercaseHex.string(parent))
    }

    /// The same trace with a span of its own, derived from `seed` (a delivery id and attempt), so a
    /// partner's logs join the gateway's and the sender's.
    public func child(seed: String) -> TraceParent {
        let span = Array(SHA256.hash(data: Array((self.traceID + "\u{0}" + seed).utf8)).prefix(8))
        return TraceParent(traceID: self.traceID, parentID: LowercaseHex.string(span), flags: self.flags)
    }

    public var description: String { "00-\(self.traceID)-\(self.parentID)-\(self.flags)" }

    private static func isHex(_ text: String) -> Bool {
        text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}

extension String {
    fileprivate var trimmingASCIISpaces: Substring {
        var text = Substring(self)
        while text.first == " " || text.first == "\t" { text.removeFirst() }
        while text.last == " " || text.last == "\t" { text.removeLast() }
        return text
    }
}
