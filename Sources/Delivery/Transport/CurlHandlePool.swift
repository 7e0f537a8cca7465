import Synchronization

/// Idle easy handles per partner, so each partner's connections are reused from one request to the next.
///
/// A handle is used by one thread at a time (libcurl's rule): ``checkOut(for:)`` removes it from the
/// pool under the lock and ``checkIn(_:for:)`` returns it. Concurrent requests to one partner each get
/// their own handle; at most ``maximumIdlePerPartner`` stay cached, the rest are freed on return.
final class CurlHandlePool: Sendable {
    /// One pooled handle.
    // @unchecked Sendable: the handle moves between threads but is used by one at a time — it is either
    // in the pool (behind the mutex) or checked out by exactly one transfer.
    final class Slot: @unchecked Sendable {
        let handle: CurlEasyHandle

        init?() {
            guard let handle = CurlEasyHandle() else { return nil }
            self.handle = handle
        }
    }

    let maximumIdlePerPartner: Int
    private let idle = Mutex<[String: [Slot]]>([:])

    init(maximumIdlePerPartner: Int) {
        self.maximumIdlePerPartner = maximumIdlePerPartner
    }

    /// A cached handle for the partner, or a new one; nil only when libcurl cannot make a handle.
    func checkOut(for partnerID: String) -> Slot? {
        let cached = self.idle.withLock { idle in idle[partnerID]?.popLast() }
        return cached ?? Slot()
    }

    /// Returns a handle after its transfer; one past the cap is dropped (and freed by its owner).
    func checkIn(_ slot: Slot, for partnerID: String) {
        self.idle.withLock { idle in
            if idle[partnerID, default: []].count < self.maximumIdlePerPartner {
                idle[partnerID, default: []].append(slot)
            }
        }
    }

    /// Frees every idle handle (and so closes their connections).
    func removeAll() {
        let dropped = self.idle.withLock { idle in
            let all = idle
            idle = [:]
            return all
        }
        _ = dropped  // freed here, outside the lock
    }

    /// Idle handles cached for a partner (for tests).
    func idleCount(for partnerID: String) -> Int {
        self.idle.withLock { $0[partnerID]?.count ?? 0 }
    }
}
