import FHIRCore
import HTTPTypes

/// What a principal's credential lets it do beside its role: everything the role allows (a static token,
/// a client certificate), or only what the SMART scopes of its access token permit.
///
/// A grant only ever narrows the role: every check asks the role first (``ReadAccess``,
/// ``RouteInput``) and the grant second.
public struct Grant: Sendable, Hashable {
    /// nil: the role alone decides.
    public var scopes: [Scope]?

    /// Everything the role allows.
    public static let role = Grant(scopes: nil)

    public init(scopes: [Scope]?) {
        self.scopes = scopes
    }

    /// Whether the grant permits `permissions` (all of them) on resources of `type`.
    ///
    /// Several scopes add up: `system/Patient.r` and `system/*.s` together permit reading and searching
    /// Patient.
    public func permits(_ permissions: Scope.Permissions, on type: String) -> Bool {
        guard let scopes = self.scopes else { return true }
        let granted = scopes.filter { $0.covers(type) }.reduce(into: Scope.Permissions()) {
            $0.formUnion($1.permissions)
        }
        return granted.isSuperset(of: permissions)
    }

    /// 403 `insufficient_scope` unless the grant permits `permissions` on `type`.
    func require(_ permissions: Scope.Permissions, on type: String, for principal: Principal) throws(FHIRError) {
        guard self.permits(permissions, on: type) else {
            throw FHIRError(
                .forbidden,
                .forbidden,
                "the access token of '\(principal.name)' has no scope for \(permissions.letters) on \(type)",
                headers: [.wwwAuthenticate: #"Bearer realm="tandem", error="insufficient_scope""#]
            )
        }
    }

    /// The most each role may be granted: senders create, read, update, delete and search (their own);
    /// partners read and search, update the hand-off Tasks Tandem asks them to answer, and create,
    /// update and delete their own Subscriptions; operators read and search.
    static func ceiling(of role: Principal.Role) -> [Scope] {
        switch role {
        case .sender: [Scope(resourceType: "*", permissions: .all)]
        case .partner:
            [
                Scope(resourceType: "*", permissions: [.read, .search]),
                Scope(resourceType: "Task", permissions: [.update]),
                Scope(resourceType: "Subscription", permissions: .all),
            ]
        case .operator: [Scope(resourceType: "*", permissions: [.read, .search])]
        }
    }

    /// The scopes granted for a request: each requested scope narrowed by what the client is registered
    /// for and by its role's ceiling; scopes that narrow to nothing are dropped.
    public static func narrowing(requested: [Scope], registered: [Scope], role: Principal.Role) -> [Scope] {
        var granted: [Scope] = []
        for scope in requested {
            for allowed in registered {
                let candidates = Self.ceiling(of: role).compactMap { scope.intersection(allowed)?.intersection($0) }
                for narrowed in candidates where !granted.contains(narrowed) {
                    // A type's scope that another candidate covers adds nothing (`Subscription.rs` beside `*.rs`).
                    let covered = candidates.contains { other in
                        other != narrowed && other.covers(narrowed.resourceType)
                            && other.permissions.isSuperset(of: narrowed.permissions)
                    }
                    if !covered { granted.append(narrowed) }
                }
            }
        }
        return granted
    }
}
