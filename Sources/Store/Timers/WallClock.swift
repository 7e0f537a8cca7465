public import CoManagement
import Foundation

/// Where the timers read the time: the system's clock in production, a pinned one in tests (the
/// `tandem serve` configuration's `clock`, allowed only with `--allow-test-clock`).
public protocol WallClock: Sendable {
    /// The current time.
    func now() -> FHIRInstant
}

/// The system's real-time clock.
public struct SystemClock: WallClock {
    public init() {}

    public func now() -> FHIRInstant {
        FHIRInstant(secondsSinceEpoch: Date().timeIntervalSince1970)
    }
}
