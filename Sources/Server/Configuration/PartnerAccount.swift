/// A partner that may call the gateway (the ``Principal/Role/partner`` role): one of the configured
/// delivery partners, given a bearer token so that it can read back what it is told about.
public struct PartnerAccount: Sendable, Hashable {
    /// The partner's id in the configuration (its outbox rows carry it).
    public var id: String
    /// Lower-case hex SHA-256 of the bearer token.
    public var tokenHash: String
    /// The organisations and practitioners the partner speaks for (identifier tokens `system|value`, or
    /// gateway references), as consent is asked about them.
    public var represents: Set<String>

    public init(id: String, tokenHash: String, represents: Set<String>) {
        self.id = id
        self.tokenHash = tokenHash.lowercased()
        self.represents = represents
    }
}

/// A person or system that runs the gateway (the ``Principal/Role/operator`` role): reads everything,
/// the audit trail included, and writes no resources.
public struct Operator: Sendable, Hashable {
    public var name: String
    /// Lower-case hex SHA-256 of the bearer token.
    public var tokenHash: String
    /// The console password's hash; nil when the operator does not sign in to the console.
    public var passwordHash: PasswordHash?

    public init(name: String, tokenHash: String, passwordHash: PasswordHash? = nil) {
        self.name = name
        self.tokenHash = tokenHash.lowercased()
        self.passwordHash = passwordHash
    }
}
