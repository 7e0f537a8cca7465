import FHIRCore

/// Which held resources can end up in the same episodes: the connected components of the references
/// and business identifiers between them.
///
/// Why: episodes are re-derived only for the part of the book a message touches (the affected
/// patients), which keeps an ingest proportional to one patient's resources, not the whole book.
/// Practitioners, organisations and other *shared* resources are left out of the components — one
/// surgeon would otherwise tie every patient together — and are tracked as "referenced by" instead,
/// so a changed Practitioner re-derives exactly the episodes that name it.
struct ResourceGraph {
    /// Resource types many patients' resources refer to without making them related.
    static let sharedTypes: Set<String> = [
        "Practitioner", "PractitionerRole", "Organization", "Location", "HealthcareService", "Device",
        "Endpoint", "Medication", "Substance", "Group",
    ]

    private var parent: [String: String] = [:]
    /// Shared resource key → keys of the resources that reference it.
    private var referrers: [String: Set<String>] = [:]
    private var members: [String: [String]] = [:]

    init(index: ResourceIndex) {
        for key in index.held.keys.sorted() {
            let item = index.held[key]!
            let shared = Self.sharedTypes.contains(item.resource.type)
            if !shared { self.union(key, key) }
            for identifier in item.resource.children(named: "identifier") {
                guard !shared, let value = identifier.string("value") else { continue }
                self.union(key, "identifier:\(identifier.string("system") ?? "")|\(value)")
            }
            self.walk(item.resource, item: item, shared: shared, index: index)
        }
        for key in index.held.keys where self.parent[key] != nil {
            self.members[self.find(key), default: []].append(key)
        }
    }

    private mutating func walk(_ node: Element, item: HeldResource, shared: Bool, index: ResourceIndex) {
        if node.child("reference") != nil || node.child("identifier")?.string("value") != nil,
            node.type == "Reference" || node.child("reference") != nil,
            let target = index.resolve(node, from: item)
        {
            let targetShared = Self.sharedTypes.contains(target.type ?? "")
            if targetShared || shared {
                // A reference from or to a shared resource relates nothing; remember who depends on whom.
                if targetShared { self.referrers[target.key, default: []].insert(item.key) }
            } else if target.holder?.key != item.key {
                self.union(item.key, target.key)
            }
        }
        // A logical reference relates everything that names the same business identifier, held or not.
        if !shared, node.type == "Reference" || node.child("reference") != nil,
            let identifier = node.child("identifier"), let value = identifier.string("value")
        {
            self.union(item.key, "identifier:\(identifier.string("system") ?? "")|\(value)")
        }
        for child in node.children { self.walk(child, item: item, shared: shared, index: index) }
    }

    private mutating func find(_ key: String) -> String {
        var root = key
        while let up = self.parent[root], up != root { root = up }
        var current = key
        while let up = self.parent[current], up != root {
            self.parent[current] = root
            current = up
        }
        return root
    }

    private mutating func union(_ a: String, _ b: String) {
        if self.parent[a] == nil { self.parent[a] = a }
        if self.parent[b] == nil { self.parent[b] = b }
        let (rootA, rootB) = (self.find(a), self.find(b))
        if rootA != rootB { self.parent[max(rootA, rootB)] = min(rootA, rootB) }
    }

    /// The held, non-shared resources related to any of `keys`, including those that reference a
    /// shared resource among `keys` (directly or through another shared resource, as a PractitionerRole
    /// names its Practitioner).
    mutating func related(to keys: some Sequence<String>) -> Set<String> {
        var seeds: [String] = []
        var sharedSeen: Set<String> = []
        var pending = Array(keys)
        while let key = pending.popLast() {
            if let referrers = self.referrers[key] {
                guard sharedSeen.insert(key).inserted else { continue }
                pending += referrers
            }
            if self.parent[key] != nil { seeds.append(key) }
        }
        var result: Set<String> = []
        for root in Set(seeds.map { self.find($0) }) { result.formUnion(self.members[root] ?? []) }
        return result
    }
}
