import FHIRCore

/// Which held resources can end up in the same episodes: those linked by references and shared
/// business identifiers. Kept up to date one resource at a time, so finding what a message affects
/// costs in proportion to one patient's resources, not the whole book.
///
/// Links use names that do not depend on what else is held: a resource is known by its key, its
/// `fullUrl` and its identifiers; it refers to the `Type/id` of a relative or absolute reference, the
/// reference text itself, and the identifier of a logical reference. Two resources are linked when
/// one refers to a name the other is known by, refers to the same name, or shares an identifier.
///
/// Practitioners, organisations and other *shared* resources do not link patients (one surgeon would
/// otherwise tie every patient together): a walk never passes through them, nor through a name of one
/// (two referrals naming the same surgeon are not linked by it), and a changed shared resource affects
/// exactly the resources that refer to it.
public struct ResourceLinks: Sendable, Hashable {
    /// Resource types many patients' resources refer to without making them related.
    static let sharedTypes: Set<String> = [
        "Practitioner", "PractitionerRole", "Organization", "Location", "HealthcareService", "Device",
        "Endpoint", "Medication", "Substance", "Group",
    ]

    /// Resource key → the names it is known by, and the names it refers to.
    private var names: [String: [String]] = [:]
    private var references: [String: [String]] = [:]
    /// Name → keys of the resources known by it, or referring to it.
    private var holders: [String: Set<String>] = [:]
    private var referrers: [String: Set<String>] = [:]
    private var shared: Set<String> = []
    /// Names that denote a shared resource: the names of held shared resources, and references whose
    /// target is of a shared type. Referring to one of them links nothing (see ``related(to:)``).
    private var sharedNames: Set<String> = []

    init() {}

    /// Adds a resource, or replaces the links of the version held under its key.
    mutating func store(_ item: HeldResource) {
        for name in self.names[item.key] ?? [] { self.holders[name]?.remove(item.key) }
        for name in self.references[item.key] ?? [] { self.referrers[name]?.remove(item.key) }
        let names = Self.names(of: item)
        var references: Set<String> = []
        Self.collectReferences(item.resource, into: &references, shared: &self.sharedNames)
        self.names[item.key] = names
        self.references[item.key] = references.sorted()
        for name in names { self.holders[name, default: []].insert(item.key) }
        for name in references { self.referrers[name, default: []].insert(item.key) }
        if Self.sharedTypes.contains(item.resource.type) {
            self.shared.insert(item.key)
            self.sharedNames.formUnion(names)
        }
    }

    /// The held, non-shared resources linked to any of `keys`, directly or through others; a shared
    /// resource among `keys` contributes the resources that refer to it (through other shared ones too,
    /// as a PractitionerRole names its Practitioner).
    func related(to keys: some Sequence<String>) -> Set<String> {
        var result: Set<String> = []
        var queue: [String] = []
        var sharedSeen: Set<String> = []
        var sharedQueue: [String] = []
        for key in keys where self.names[key] != nil {
            if self.shared.contains(key) {
                sharedQueue.append(key)
            } else if result.insert(key).inserted {
                queue.append(key)
            }
        }
        while let key = sharedQueue.popLast() {
            guard sharedSeen.insert(key).inserted else { continue }
            for name in self.names[key] ?? [] {
                for referrer in self.referrers[name] ?? [] {
                    if self.shared.contains(referrer) {
                        sharedQueue.append(referrer)
                    } else if result.insert(referrer).inserted {
                        queue.append(referrer)
                    }
                }
            }
        }
        // A name of a shared resource is never followed: two patients' referrals naming one surgeon
        // are not related. Every other name is followed once: what it reaches does not depend on which
        // resource led to it. (Following a patient's name again for each of the patient's resources
        // made a message of a patient with n resources cost n².)
        var followed: Set<String> = []
        func reach(_ others: Set<String>?) {
            for other in others ?? [] where !self.shared.contains(other) && result.insert(other).inserted {
                queue.append(other)
            }
        }
        func follow(_ names: [String]?) {
            for name in names ?? [] where !self.sharedNames.contains(name) && followed.insert(name).inserted {
                reach(self.holders[name])
                reach(self.referrers[name])
            }
        }
        while let key = queue.popLast() {
            follow(self.names[key])
            follow(self.references[key])
        }
        return result
    }

    /// The names a held resource is known by: its key, its `fullUrl` (and `Type/id` tail), its identifiers.
    static func names(of item: HeldResource) -> [String] {
        var names = [item.key]
        if let fullUrl = item.fullUrl {
            names.append(fullUrl)
            if let relative = ResourceIndex.relativeReference(fullUrl) { names.append(relative) }
        }
        for identifier in item.resource.children(named: "identifier") {
            if let value = identifier.string("value") {
                names.append("identifier:\(identifier.string("system") ?? "")|\(value)")
            }
        }
        return names
    }

    /// Every name the resource's references (contained resources' included) refer to; `#id` references
    /// stay inside the resource and link nothing. The names of references to a shared type (by the
    /// reference's `Type/id`, else its `type`) go into `shared` too.
    static func collectReferences(_ node: Element, into names: inout Set<String>, shared: inout Set<String>) {
        if node.type == "Reference" || node.child("reference") != nil {
            var found: [String] = []
            var target = node.string("type")
            if let text = node.string("reference"), !text.hasPrefix("#") {
                found.append(text)
                if let relative = ResourceIndex.relativeReference(text) {
                    found.append(relative)
                    target = relative.split(separator: "/").first.map(String.init)
                }
            }
            if let identifier = node.child("identifier"), let value = identifier.string("value") {
                found.append("identifier:\(identifier.string("system") ?? "")|\(value)")
            }
            names.formUnion(found)
            if let target, Self.sharedTypes.contains(target) { shared.formUnion(found) }
        }
        for child in node.children { self.collectReferences(child, into: &names, shared: &shared) }
    }
}
