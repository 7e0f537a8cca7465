import Synchronization

/// The credentials the gateway accepts right now: static token hashes, SMART clients, client certificates.
///
/// One value shared by every request; ``replace(with:)`` swaps it whole (SIGHUP), so a request sees the old
/// set or the new one, never a mix. Requests already authenticated finish as they began.
public final class Credentials: Sendable {
    /// One consistent set.
    struct Snapshot: Sendable {
        var principals: PrincipalDirectory
        var clients: [String: Client]
        var certificateSenders: [CertificateSender]
        /// Operators by name, for the console's sign-in and sessions.
        var operators: [String: Operator]
    }

    private let current: Mutex<Snapshot>

    public init(settings: GatewaySettings) {
        self.current = Mutex(Self.snapshot(of: settings))
    }

    /// Takes the accounts, clients and certificate mappings of `settings` for every later request.
    public func replace(with settings: GatewaySettings) {
        let snapshot = Self.snapshot(of: settings)
        self.current.withLock { $0 = snapshot }
    }

    var snapshot: Snapshot { self.current.withLock { $0 } }

    private static func snapshot(of settings: GatewaySettings) -> Snapshot {
        Snapshot(
            principals: PrincipalDirectory(settings: settings),
            clients: Dictionary(settings.clients.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first }),
            certificateSenders: settings.certificateSenders,
            operators: Dictionary(settings.operators.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        )
    }
}
