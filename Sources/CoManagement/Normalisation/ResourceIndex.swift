import FHIRCore

/// Finds held resources by the ways FHIR references name them: relative (`Patient/1`), absolute
/// (`https://x/fhir/Patient/1`), Bundle `fullUrl` (`urn:uuid:…`), contained (`#id`) and logical
/// (`Reference.identifier`).
struct ResourceIndex: Sendable, Hashable {
    /// What a reference points at: the held (or contained) resource when there is one, and a key that
    /// names the target the same way whether or not it is held.
    struct Target {
        var key: String
        var resource: Element?
        /// The resource type, from the resource or the reference.
        var type: String?
        /// The held resource it is, or that contains it; nil for unresolved targets.
        var holder: HeldResource?
        var reference: Element
    }

    private(set) var held: [String: HeldResource] = [:]
    /// `fullUrl` → keys. Several resources can share one (a sender reusing `urn:uuid`s across Bundles);
    /// a lookup answers the one held longest (``earliest(_:)``).
    private var byFullUrl: [String: Set<String>] = [:]
    /// `Type|system|value` and `|system|value` → keys.
    private var byIdentifier: [String: Set<String>] = [:]

    init() {}

    init(_ held: [String: HeldResource]) {
        for item in held.values { self.store(item) }
    }

    /// Adds a resource, or replaces the version held under its key; cost is that of the resource.
    mutating func store(_ item: HeldResource) {
        if let old = self.held[item.key] {
            for url in Self.fullUrls(old) { self.byFullUrl[url]?.remove(old.key) }
            for token in Self.identifierTokens(old) { self.byIdentifier[token]?.remove(old.key) }
        }
        self.held[item.key] = item
        for url in Self.fullUrls(item) { self.byFullUrl[url, default: []].insert(item.key) }
        for token in Self.identifierTokens(item) { self.byIdentifier[token, default: []].insert(item.key) }
    }

    /// Stops holding the resource under `key`; nothing when none is held.
    mutating func remove(_ key: String) {
        guard let old = self.held.removeValue(forKey: key) else { return }
        for url in Self.fullUrls(old) { self.byFullUrl[url]?.remove(old.key) }
        for token in Self.identifierTokens(old) { self.byIdentifier[token]?.remove(old.key) }
    }

    private static func fullUrls(_ item: HeldResource) -> [String] {
        item.fullUrl.map { [$0] } ?? []
    }

    private static func identifierTokens(_ item: HeldResource) -> [String] {
        item.resource.children(named: "identifier").flatMap { identifier -> [String] in
            guard let value = identifier.string("value") else { return [] }
            let token = "\(identifier.string("system") ?? "")|\(value)"
            return ["\(item.resource.type)|\(token)", "|\(token)"]
        }
    }

    /// Resolves a `Reference` node (or a bare reference string node) found in `holder`.
    func resolve(_ reference: Element, from holder: HeldResource?) -> Target? {
        let text = reference.string("reference") ?? (reference.children.isEmpty ? reference.value : nil)
        let declaredType = reference.string("type")
        if let text, !text.isEmpty {
            if text.hasPrefix("#"), let holder {
                let id = String(text.dropFirst())
                let contained = holder.resource.children(named: "contained").first { $0.string("id") == id }
                return Target(
                    key: "\(holder.key)\(text)",
                    resource: contained,
                    type: contained?.type ?? declaredType,
                    holder: contained == nil ? nil : holder,
                    reference: reference
                )
            }
            if let item = self.earliest(self.byFullUrl[text]) { return self.target(item, reference) }
            let relative = Self.relativeReference(text)
            if let relative, let item = self.held[relative] { return self.target(item, reference) }
            if let logical = self.resolveIdentifier(reference, declaredType) { return logical }
            let type = relative.map { String($0.prefix { $0 != "/" }) } ?? declaredType
            return Target(key: relative ?? text, resource: nil, type: type, holder: nil, reference: reference)
        }
        if let logical = self.resolveIdentifier(reference, declaredType) { return logical }
        if let identifier = reference.child("identifier"), let value = identifier.string("value") {
            let token = "\(identifier.string("system") ?? "")|\(value)"
            return Target(key: token, resource: nil, type: declaredType, holder: nil, reference: reference)
        }
        return nil
    }

    private func resolveIdentifier(_ reference: Element, _ declaredType: String?) -> Target? {
        guard let identifier = reference.child("identifier"), let value = identifier.string("value") else { return nil }
        let token = "\(identifier.string("system") ?? "")|\(value)"
        guard let item = self.earliest(self.byIdentifier["\(declaredType ?? "")|\(token)"]) else { return nil }
        return self.target(item, reference)
    }

    /// Of the resources under `keys`, the one held longest: the smallest arrival, then the smallest key.
    ///
    /// Senders often post the same practitioner or organisation in every referral Bundle, each time under a
    /// new server id. Answering the copy held longest means a later copy never re-points a reference
    /// already resolved, so it cannot change (and add timeline events to) episodes it brings nothing new
    /// to, whatever order the messages arrive in. Only updating that copy moves the answer on.
    private func earliest(_ keys: Set<String>?) -> HeldResource? {
        guard let keys else { return nil }
        var best: HeldResource?
        for key in keys {
            guard let item = self.held[key] else { continue }
            if let current = best, (current.arrival, current.key) <= (item.arrival, item.key) { continue }
            best = item
        }
        return best
    }

    private func target(_ item: HeldResource, _ reference: Element) -> Target {
        Target(key: item.key, resource: item.resource, type: item.resource.type, holder: item, reference: reference)
    }

    /// `Type/id` from a relative or absolute RESTful reference (a `_history` suffix dropped); nil when the
    /// text is not one (a URN, a fragment).
    static func relativeReference(_ text: String) -> String? {
        guard !text.hasPrefix("urn:"), !text.hasPrefix("#") else { return nil }
        var parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if parts.count >= 4, parts[parts.count - 2] == "_history" { parts.removeLast(2) }
        guard parts.count >= 2 else { return nil }
        let type = parts[parts.count - 2]
        let id = parts[parts.count - 1]
        guard R4Metadata.shared.isResource(type), !id.isEmpty else { return nil }
        return "\(type)/\(id)"
    }
}
