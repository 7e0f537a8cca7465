/// Who a request acts for: the account its bearer token belongs to, and so its role.
///
/// Each token belongs to exactly one account, and each account has one role. What a role may read and
/// write is decided in one place (`ReadAccess` for reads, `RouteInput` for writes), so that narrower
/// grants (SMART scopes) can later be checked beside the role without new paths.
public struct Principal: Sendable, Hashable {
    public enum Role: Sendable, Hashable {
        /// Posts resources, and reads what it sent and the episodes its resources take part in.
        case sender(Sender)
        /// Reads the episodes it has been routed and the resources they hold, as the patient's consent permits.
        case partner(PartnerAccount)
        /// Reads everything, the audit trail included.
        case `operator`(Operator)
    }

    public var role: Role

    public init(_ role: Role) {
        self.role = role
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
        for sender in settings.senders { byTokenHash[sender.tokenHash] = Principal(.sender(sender)) }
        for partner in settings.partners { byTokenHash[partner.tokenHash] = Principal(.partner(partner)) }
        for person in settings.operators { byTokenHash[person.tokenHash] = Principal(.operator(person)) }
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
