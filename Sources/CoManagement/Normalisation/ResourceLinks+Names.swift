import FHIRCore

extension ResourceLinks {
    /// The names by which a held resource links to others, as a store that keeps each group of related
    /// resources apart (a partition) indexes them.
    public struct Names: Sendable, Hashable {
        /// What the resource is known by: its key, its `fullUrl` (and that URL's `Type/id`), its identifiers.
        public var known: [String]
        /// The names that link it to the other resources of its patient: what it is known by and what it
        /// refers to, without the references to shared resources. Empty for a shared resource, which
        /// links nothing.
        public var linking: [String]
        /// The names of shared resources it refers to (a practitioner, an organisation, a role): it depends
        /// on them without being linked by them.
        public var shared: [String]
    }

    /// Whether resources of `type` are shared by many patients' resources (``sharedTypes``).
    public static func isShared(_ type: String) -> Bool {
        Self.sharedTypes.contains(type)
    }

    /// The names of one held resource (see ``Names``).
    public static func linkNames(of item: HeldResource) -> Names {
        let known = Self.names(of: item)
        var references: Set<String> = []
        var shared: Set<String> = []
        Self.collectReferences(item.resource, into: &references, shared: &shared)
        if Self.isShared(item.resource.type) {
            return Names(known: known, linking: [], shared: references.sorted())
        }
        return Names(
            known: known,
            linking: Set(known).union(references.subtracting(shared)).sorted(),
            shared: shared.sorted()
        )
    }
}
