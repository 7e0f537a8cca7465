/// How often and for how long a delivery is retried, and how far apart the attempts are.
///
/// Backoff is exponential with full jitter: after the n-th failed attempt the wait is drawn uniformly
/// from `0 ... min(maximumBackoff, baseBackoff × 2ⁿ⁻¹)` (the "full jitter" of
/// https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/), so partners recovering
/// from an outage are not hit by every gateway replica at the same instant.
public struct RetryPolicy: Sendable, Hashable, Codable {
    /// Attempts in all, the first included; past it the delivery is dead-lettered.
    public var maximumAttempts: Int
    /// How long after it was planned a delivery may still be attempted; past it, dead-lettered.
    public var maximumAge: Duration
    public var baseBackoff: Duration
    public var maximumBackoff: Duration

    public init(
        maximumAttempts: Int = 20,
        maximumAge: Duration = .seconds(24 * 3600),
        baseBackoff: Duration = .seconds(1),
        maximumBackoff: Duration = .seconds(600)
    ) {
        // Configuration data, so clamped rather than trapped on: a delivery is attempted at least once.
        self.maximumAttempts = max(1, maximumAttempts)
        self.maximumAge = maximumAge
        self.baseBackoff = baseBackoff
        self.maximumBackoff = maximumBackoff
    }

    /// The ceiling of the wait after `failedAttempts` failures: `min(maximumBackoff, base × 2ⁿ⁻¹)`.
    public func backoffCeiling(afterFailedAttempts failedAttempts: Int) -> Duration {
        let exponent = max(0, min(failedAttempts - 1, 62))
        let base = self.baseBackoff.inSeconds
        // In Doubles: base × 2^62 overflows Duration's Int64 seconds long before it overflows a Double.
        let ceiling = min(self.maximumBackoff.inSeconds, base * Double(sign: .plus, exponent: exponent, significand: 1))
        return .seconds(ceiling)
    }

    /// The wait before the next attempt, with full jitter from `jitter`.
    public func backoff(afterFailedAttempts failedAttempts: Int, jitter: Jitter) -> Duration {
        .seconds(self.backoffCeiling(afterFailedAttempts: failedAttempts).inSeconds * jitter.draw())
    }
}

/// The random source of full jitter, injected so tests are deterministic.
public struct Jitter: Sendable {
    private let unitInterval: @Sendable () -> Double

    /// A source returning values in `0 ... 1`; values outside are clamped.
    public init(_ unitInterval: @escaping @Sendable () -> Double) {
        self.unitInterval = unitInterval
    }

    /// Uniform over `0 ... 1` from the system's random number generator.
    public static let system = Jitter { Double.random(in: 0...1) }

    /// Always the same fraction of the ceiling: `fixed(1)` waits the full ceiling.
    public static func fixed(_ fraction: Double) -> Jitter { Jitter { fraction } }

    func draw() -> Double { min(1, max(0, self.unitInterval())) }
}

extension Duration {
    /// The duration in seconds, as a Double.
    package var inSeconds: Double {
        let (seconds, attoseconds) = self.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
