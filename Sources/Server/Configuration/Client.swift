public import JWTKit

/// A system registered for SMART Backend Services: it signs in at `POST /auth/token` with a JWT assertion
/// signed by one of its keys, and acts as one configured account (a sender, partner or operator).
///
/// Its access tokens carry the scopes it asked for, narrowed to ``scopes`` and to what its role may do
/// (``Grant``); a client is never more than its account.
public struct Client: Sendable {
    /// The `client_id`, which its assertions carry as `iss` and `sub`.
    public var id: String
    /// The account it acts as.
    public var role: Principal.Role
    /// The most it may be granted.
    public var scopes: [Scope]
    /// Its public keys (RS384 or ES384), each with a `kid`.
    public var jwks: JWKS

    public init(id: String, role: Principal.Role, scopes: [Scope], jwks: JWKS) {
        self.id = id
        self.role = role
        self.scopes = scopes
        self.jwks = jwks
    }

    /// The key ids of ``jwks``.
    var keyIDs: Set<String> { Set(self.jwks.keys.compactMap { $0.keyIdentifier?.string }) }

    /// The algorithms assertions may be signed with (SMART Backend Services requires support for both).
    public static let algorithms: Set<String> = ["RS384", "ES384"]

    /// Checks a JWKS as the configuration gives it: at least one key, each RSA or EC with a `kid`, and an
    /// `alg`, when it names one, that assertions may use.
    ///
    /// - Returns: why the JWKS cannot be used, or nil.
    public static func problem(with jwks: JWKS) -> String? {
        guard !jwks.keys.isEmpty else { return "the JWKS has no keys" }
        for key in jwks.keys {
            guard let kid = key.keyIdentifier?.string, !kid.isEmpty else { return "every key needs a kid" }
            guard key.keyType == .rsa || key.keyType == .ecdsa else { return "key '\(kid)' is neither RSA nor EC" }
            if let algorithm = key.algorithm?.rawValue, !Self.algorithms.contains(algorithm) {
                return "key '\(kid)' is for \(algorithm); assertions use RS384 or ES384"
            }
            if let problem = Self.problem(withKeyMaterial: key) { return "key '\(kid)' \(problem)" }
        }
        return nil
    }
}

extension Client {
    /// Whether the key's numbers make a public key: an EC key on P-384 (ES384), or an RSA modulus and
    /// exponent; so a broken key fails at start, not at the client's first sign-in.
    private static func problem(withKeyMaterial key: JWK) -> String? {
        if key.keyType == .ecdsa {
            guard key.curve?.rawValue == "P-384", let x = key.x, let y = key.y,
                (try? ES384PublicKey(parameters: (x: x, y: y))) != nil
            else { return "is not a P-384 public key (ES384)" }
        } else {
            guard let modulus = key.modulus, let exponent = key.exponent,
                (try? Insecure.RSA.PublicKey(modulus: modulus, exponent: exponent)) != nil
            else { return "is not an RSA public key" }
        }
        return nil
    }
}

extension Client: Equatable {
    /// Same id, account, scopes and key ids (keys are told apart by their `kid`).
    public static func == (lhs: Client, rhs: Client) -> Bool {
        lhs.id == rhs.id && lhs.role == rhs.role && lhs.scopes == rhs.scopes && lhs.keyIDs == rhs.keyIDs
    }
}
