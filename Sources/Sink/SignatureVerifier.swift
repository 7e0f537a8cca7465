import Crypto
import Delivery

/// Checks `X-Tandem-Signature` on arrival: for the sink, and as the reference for partners' own code.
public struct SignatureVerifier: Sendable {
    /// How a request fared.
    public enum Verdict: Sendable, Hashable, CustomStringConvertible {
        case valid
        /// No secret is configured here: nothing to check.
        case unchecked
        case missingSignature
        case missingTimestamp
        case malformed
        /// The timestamp is further from now than the tolerance: possibly a replay.
        case stale(skewSeconds: Int64)
        case mismatch

        public var isAcceptable: Bool { self == .valid || self == .unchecked }

        public var description: String {
            switch self {
            case .valid: "signature ok"
            case .unchecked: "unsigned (no secret)"
            case .missingSignature: "signature missing"
            case .missingTimestamp: "timestamp missing"
            case .malformed: "signature malformed"
            case .stale(let skew): "timestamp off by \(skew)s"
            case .mismatch: "signature mismatch"
            }
        }
    }

    public var secret: String?
    /// How far the timestamp may be from the verifier's clock, either way.
    public var tolerance: Duration

    public init(secret: String?, tolerance: Duration = .seconds(300)) {
        self.secret = secret
        self.tolerance = tolerance
    }

    /// Verifies one request.
    /// - Parameters:
    ///   - timestamp: the `X-Tandem-Timestamp` value; `signature`: the `X-Tandem-Signature` value.
    ///   - now: the verifier's clock, Unix seconds.
    public func verify(body: [UInt8], timestamp: String?, signature: String?, now: Int64) -> Verdict {
        guard let secret = self.secret else { return .unchecked }
        guard let signature else { return .missingSignature }
        guard let timestampText = timestamp else { return .missingTimestamp }
        guard let timestamp = Int64(timestampText), signature.hasPrefix("sha256="),
            let given = Self.bytes(fromHex: signature.dropFirst("sha256=".count))
        else { return .malformed }
        let skew = now - timestamp
        if Double(abs(skew)) > self.tolerance.inSeconds { return .stale(skewSeconds: skew) }
        let expected = DeliverySignature.mac(body: body, timestamp: timestamp, secret: secret)
        return Self.constantTimeEqual(expected, given) ? .valid : .mismatch
    }

    /// Compares every byte whatever the first difference, so timing does not reveal how much matched.
    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }

    static func bytes(fromHex text: Substring) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: c - 0x30
            case 0x61...0x66: c - 0x61 + 10
            case 0x41...0x46: c - 0x41 + 10
            default: nil
            }
        }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }
}
