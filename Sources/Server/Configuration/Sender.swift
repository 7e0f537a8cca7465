import Crypto
import FHIRCore

/// A system allowed to post to the gateway (an interface engine), as the configuration names it: the
/// ``Principal/Role/sender`` role.
///
/// Its bearer token is never stored, only the token's SHA-256 (`tandem token-hash TOKEN` prints it).
public struct Sender: Sendable, Hashable, Codable {
    /// The sender's name, used in logs and audit records.
    public var name: String
    /// Lower-case hex SHA-256 of the bearer token.
    public var tokenHash: String
    /// Resource types the sender may post; `*` allows every type.
    public var allowedTypes: [String]

    public init(name: String, tokenHash: String, allowedTypes: [String]) {
        self.name = name
        self.tokenHash = tokenHash.lowercased()
        self.allowedTypes = allowedTypes
    }

    /// Whether the sender may write resources of `type`.
    public func mayWrite(_ type: String) -> Bool {
        self.allowedTypes.contains("*") || self.allowedTypes.contains(type)
    }

    /// The hex SHA-256 of a token, as the configuration stores it. Runs for every request.
    public static func hash(token: String) -> String {
        LowercaseHex.string(SHA256.hash(data: Array(token.utf8)))
    }
}
