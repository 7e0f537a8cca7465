import Crypto
import FHIRCore

/// A system allowed to post to the gateway (an interface engine), as the configuration names it.
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

/// Finds the sender a bearer token belongs to.
public struct SenderDirectory: Sendable {
    private let byTokenHash: [String: Sender]

    public init(_ senders: [Sender]) {
        var byTokenHash: [String: Sender] = [:]
        for sender in senders { byTokenHash[sender.tokenHash] = sender }
        self.byTokenHash = byTokenHash
    }

    /// The sender whose token hash matches, or nil.
    ///
    /// Looking up by hash rather than comparing tokens means the lookup's timing depends only on the
    /// hash, from which nothing about a valid token can be learned.
    public func sender(forToken token: String) -> Sender? {
        self.byTokenHash[Sender.hash(token: token)]
    }
}
