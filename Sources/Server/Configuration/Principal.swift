/// Who a request acts for: the account its credential belongs to, its role, and what the credential grants.
///
/// Each credential (a static bearer token, a SMART client, a client certificate) belongs to exactly one
/// account, and each account has one role. What a role may read and write is decided in one place
/// (`ReadAccess` for reads, `RouteInput` for writes); the ``grant`` (SMART scopes) is checked beside the
/// role there and only ever narrows it.
public struct Principal: Sendable, Hashable {
    public enum Role: Sendable, Hashable {
        /// Posts resources, and reads what it sent and the episodes its resources take part in.
        case sender(Sender)
        /// Reads the episodes it has been routed and the resources they hold, as the patient's consent permits.
        case partner(PartnerAccount)
        /// Reads everything, the audit trail included.
        case `operator`(Operator)
    }

    /// How the caller proved who it is.
    public enum Credential: String, Sendable, Hashable {
        /// A static bearer token whose hash is configured.
        case token
        /// An access token from `POST /auth/token` (SMART Backend Services).
        case accessToken = "access-token"
        /// A client certificate mapped to a sender (mTLS).
        case certificate
    }

    public var role: Role
    /// What the credential permits within the role.
    public var grant: Grant
    public var credential: Credential
    /// The SMART client id, for an access token.
    public var client: String?

    public init(_ role: Role, grant: Grant = .role, credential: Credential = .token, client: String? = nil) {
        self.role = role
        self.grant = grant
        self.credential = credential
        self.client = client
    }

    /// The account's name: the sender's name, the partner's id, the operator's name.
    public var name: String {
        switch self.role {
        case .sender(let sender): sender.name
        case .partner(let partner): partner.id
        case .operator(let person): person.name
        }
    }

    /// The role's name, for logs and audit records.
    public var roleName: String {
        switch self.role {
        case .sender: "sender"
        case .partner: "partner"
        case .operator: "operator"
        }
    }

    /// The sender this principal is, when it is one.
    public var sender: Sender? {
        if case .sender(let sender) = self.role { return sender }
        return nil
    }
}

/// Finds the principal a bearer token belongs to.
public struct PrincipalDirectory: Sendable {
    private let byTokenHash: [String: Principal]

    public init(settings: GatewaySettings) {
        var byTokenHash: [String: Principal] = [:]
        // An account without a static token (one that signs in as a SMART client only) has an empty hash.
        for sender in settings.senders where !sender.tokenHash.isEmpty {
            byTokenHash[sender.tokenHash] = Principal(.sender(sender))
        }
        for partner in settings.partners where !partner.tokenHash.isEmpty {
            byTokenHash[partner.tokenHash] = Principal(.partner(partner))
        }
        for person in settings.operators where !person.tokenHash.isEmpty {
            byTokenHash[person.tokenHash] = Principal(.operator(person))
        }
        self.byTokenHash = byTokenHash
    }

    /// The principal whose token hash matches, or nil.
    ///
    /// Looking up by hash rather than comparing tokens means the lookup's timing depends only on the
    /// hash, from which nothing about a valid token can be learned.
    public func principal(forToken token: String) -> Principal? {
        self.byTokenHash[Sender.hash(token: token)]
    }
}
