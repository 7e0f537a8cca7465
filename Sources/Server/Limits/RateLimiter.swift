import Synchronization

/// A token bucket per client: each client may make ``Limits/requestsPerSecond`` requests a second on
/// average and ``Limits/burst`` at once. Refusals are counted per client, for the audit trail to record
/// as one summary each (``takeRefusals()``) rather than one record per refused request.
final class RateLimiter: Sendable {
    /// Requests refused for one client since the last summary.
    struct Refusals: Sendable, Hashable {
        var client: ClientKey
        var count: Int
        var first: ContinuousClock.Instant
        var last: ContinuousClock.Instant
    }

    /// Who a limit applies to: an account once it is known, else the address the request came from.
    struct ClientKey: Sendable, Hashable {
        var name: String?
        var role: String?
        var address: String?
    }

    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
        var refusals: Refusals?
    }

    /// Buckets kept at most; full, idle ones are dropped beyond it.
    static let maximumClients = 10_000

    let rate: Double
    let burst: Double
    private let buckets = Mutex<[ClientKey: Bucket]>([:])

    init(limits: Limits) {
        self.rate = limits.requestsPerSecond
        self.burst = Double(max(1, limits.burst))
    }

    /// Takes a token for `client`: nil when the request may go on, else how long until one is available.
    func admit(_ client: ClientKey, now: ContinuousClock.Instant = .now) -> Duration? {
        guard self.rate > 0 else { return nil }
        return self.buckets.withLock { buckets -> Duration? in
            var bucket = buckets[client] ?? Bucket(tokens: self.burst, updated: now)
            let elapsed = now - bucket.updated
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            bucket.tokens = min(self.burst, bucket.tokens + seconds * self.rate)
            bucket.updated = now
            defer {
                if buckets.count >= Self.maximumClients, buckets[client] == nil {
                    Self.prune(&buckets, burst: self.burst)
                }
                buckets[client] = bucket
            }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            var refusals = bucket.refusals ?? Refusals(client: client, count: 0, first: now, last: now)
            refusals.count += 1
            refusals.last = now
            bucket.refusals = refusals
            return .seconds((1 - bucket.tokens) / self.rate)
        }
    }

    /// The refusals counted since the last call, one per client, and forgets them.
    func takeRefusals() -> [Refusals] {
        self.buckets.withLock { buckets in
            var taken: [Refusals] = []
            for (key, bucket) in buckets {
                guard let refusals = bucket.refusals else { continue }
                taken.append(refusals)
                buckets[key]?.refusals = nil
            }
            return taken
        }
    }

    /// Drops the buckets that are full and have nothing to report (their clients are as if new).
    private static func prune(_ buckets: inout [ClientKey: Bucket], burst: Double) {
        buckets = buckets.filter { $0.value.tokens < burst || $0.value.refusals != nil }
    }
}
