/// How the operations console (`/console`) keeps its sessions.
public struct ConsoleSettings: Sendable, Hashable {
    /// How long a session lasts from sign-in; the operator then signs in again.
    public var sessionLifetime: Duration
    /// Marks the session cookie `Secure`: on when the gateway listens with TLS or its public origin is
    /// `https` (behind a TLS-terminating proxy), so the browser never sends it over plain HTTP.
    public var secureCookies: Bool
    /// Sign-in attempts a second per address, and the burst allowed, before 429.
    public var signInsPerSecond: Double
    public var signInBurst: Int

    public init(
        sessionLifetime: Duration = .seconds(8 * 3600),
        secureCookies: Bool = false,
        signInsPerSecond: Double = 0.5,
        signInBurst: Int = 10
    ) {
        self.sessionLifetime = sessionLifetime
        self.secureCookies = secureCookies
        self.signInsPerSecond = signInsPerSecond
        self.signInBurst = signInBurst
    }
}
