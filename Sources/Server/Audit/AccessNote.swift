import Synchronization

/// What a handler learned about the access it served, for the audit record ``AccessMiddleware`` writes
/// once the answer is known: the exact resource, the patient, the client of a token request.
///
/// A class because the handler and the middleware above it must share it: the request context travels
/// down by value, so the handler writes here and the middleware reads what it wrote. One per request.
public final class AccessNote: Sendable {
    struct Facts: Sendable {
        /// The resource or episode read (`Type/id/_history/n`, `Episode/id`), or the type searched.
        var entity: String?
        /// `Patient/id`, or the `system|value` a search named.
        var patient: String?
        var detail: String?
        /// The audit action, where the route does not tell it (the console's changes).
        var action: String?
        /// The client a token request authenticated.
        var client: Client?
        /// The store audited the request itself (a write it committed), entry by entry.
        var auditedByStore = false
    }

    private let facts = Mutex(Facts())

    public init() {}

    var current: Facts { self.facts.withLock { $0 } }

    func note(entity: String? = nil, patient: String? = nil) {
        self.facts.withLock { facts in
            if let entity { facts.entity = entity }
            if let patient { facts.patient = patient }
        }
    }

    func note(detail: String) {
        self.facts.withLock { $0.detail = detail }
    }

    func note(action: String) {
        self.facts.withLock { $0.action = action }
    }

    func note(client: Client) {
        self.facts.withLock { $0.client = client }
    }

    /// The store wrote this request's audit records in its own transaction.
    func noteAuditedByStore() {
        self.facts.withLock { $0.auditedByStore = true }
    }
}
