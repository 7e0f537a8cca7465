import Synchronization

/// Counts each client's requests in flight, so that one client cannot hold every slot of the gateway's
/// concurrency cap (a client stalling many uploads at once would otherwise lock everyone else out until
/// the request deadline cuts it off).
final class ClientConcurrency: Sendable {
    let maximum: Int
    private let inFlight = Mutex<[RateLimiter.ClientKey: Int]>([:])

    init(maximum: Int) {
        self.maximum = maximum
    }

    /// Takes a slot for `client`; false when it has ``maximum`` requests in flight already.
    func enter(_ client: RateLimiter.ClientKey) -> Bool {
        guard self.maximum > 0 else { return true }
        return self.inFlight.withLock { inFlight in
            let count = inFlight[client, default: 0]
            guard count < self.maximum else { return false }
            inFlight[client] = count + 1
            return true
        }
    }

    /// Gives back the slot ``enter(_:)`` took.
    func leave(_ client: RateLimiter.ClientKey) {
        guard self.maximum > 0 else { return }
        self.inFlight.withLock { inFlight in
            let count = inFlight[client, default: 1] - 1
            inFlight[client] = count > 0 ? count : nil
        }
    }
}
