import Crypto
import CryptoExtras
import Foundation

/// An operator's password as the configuration holds it: PBKDF2-HMAC-SHA256 with a random salt, written
/// `pbkdf2-sha256$ITERATIONS$SALT$HASH` (salt and hash in unpadded base64url). `tandem password-hash`
/// makes one.
///
/// PBKDF2 is swift-crypto's (BoringSSL's); nothing here is hand-written cryptography. Deriving a key takes
/// a few hundred milliseconds on purpose: callers run ``verifies(_:)`` off the cooperative thread pool.
public struct PasswordHash: Sendable, Hashable, CustomStringConvertible {
    /// OWASP's recommendation for PBKDF2-HMAC-SHA256 (2023).
    public static let defaultIterations = 600_000
    /// Fewer iterations are refused (swift-crypto's floor for PBKDF2-SHA256): too cheap to guess against.
    public static let minimumIterations = 210_000
    static let scheme = "pbkdf2-sha256"

    public var iterations: Int
    public var salt: [UInt8]
    public var hash: [UInt8]

    /// Reads the configuration's form; nil when it is not one.
    public init?(_ text: String) {
        let parts = text.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == Self.scheme, let iterations = Int(parts[1]),
            iterations >= Self.minimumIterations, let salt = Self.decode(parts[2]), salt.count >= 16,
            let hash = Self.decode(parts[3]), hash.count == 32
        else { return nil }
        self.iterations = iterations
        self.salt = salt
        self.hash = hash
    }

    /// Hashes `password` with a fresh random salt.
    public init(hashing password: String, iterations: Int = PasswordHash.defaultIterations) throws {
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        self.iterations = iterations
        self.salt = salt
        self.hash = try Self.derive(password, salt: salt, iterations: iterations)
    }

    public var description: String {
        "\(Self.scheme)$\(self.iterations)$\(Self.encode(self.salt))$\(Self.encode(self.hash))"
    }

    /// Whether `password` is the one hashed; compared in constant time. Blocks for the derivation.
    public func verifies(_ password: String) -> Bool {
        guard let derived = try? Self.derive(password, salt: self.salt, iterations: self.iterations) else {
            return false
        }
        var difference: UInt8 = 0
        for (left, right) in zip(derived, self.hash) { difference |= left ^ right }
        return difference == 0 && derived.count == self.hash.count
    }

    private static func derive(_ password: String, salt: [UInt8], iterations: Int) throws -> [UInt8] {
        let key = try KDF.Insecure.PBKDF2.deriveKey(
            from: Array(password.utf8),
            salt: salt,
            using: .sha256,
            outputByteCount: 32,
            rounds: iterations
        )
        return key.withUnsafeBytes { Array($0) }
    }

    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: Substring) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map { Array($0) }
    }
}
