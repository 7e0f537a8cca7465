import FHIRCore

extension ConceptHierarchy {
    /// The hierarchy file's name in `Mappings/`.
    static let fileName = "snomed-ct-hierarchy.json"

    /// Reads and checks the hierarchy file; nil when it has errors (all recorded in `reader`).
    ///
    /// Each concept needs a well-formed SNOMED CT id (Verhoeff check digit included), a display, its
    /// is-a parents (each one a concept of the file; none for a branch's top) and a `source` naming an
    /// entry of `sources`, which says where the concept and its placement come from. Ids are unique and
    /// the parents form no cycle.
    static func read(_ root: JSONValue, _ reader: inout MappingReader) -> ConceptHierarchy? {
        guard var fields = reader.object(root, "hierarchy file") else { return nil }
        _ = fields.optional("description")
        let system = fields.required("system", &reader).flatMap { reader.string($0, "'system'") }
        if let system, system != TriggerCodeSystem.snomedCT.rawValue {
            reader.error("'system' must be \(TriggerCodeSystem.snomedCT.rawValue)", at: fields.location)
        }
        let sources = fields.required("sources", &reader).flatMap { reader.object($0, "'sources'") }
        let items = fields.required("concepts", &reader).flatMap { reader.array($0, "'concepts'") }
        fields.finish(&reader)
        guard let sources, let items else { return nil }
        for member in sources.members { _ = reader.string(member.value, "source '\(member.key)'") }
        let sourceKeys = Set(sources.members.map(\.key))
        let errorsBefore = reader.errorCount
        var concepts: [Concept] = []
        var locations: [String: SourceLocation] = [:]
        for item in items {
            guard let concept = Self.concept(item, sources: sourceKeys, &reader) else { continue }
            if locations[concept.id] != nil {
                reader.error("concept \(concept.id) is listed twice", at: item.location)
            }
            locations[concept.id] = item.location
            concepts.append(concept)
        }
        for concept in concepts {
            for parent in concept.parents where locations[parent] == nil {
                reader.error(
                    "parent \(parent) of concept \(concept.id) is not in the file",
                    at: locations[concept.id] ?? .unknown
                )
            }
        }
        let hierarchy = ConceptHierarchy(concepts)
        if let cycle = hierarchy.cycle() {
            reader.error(
                "the is-a parents form a cycle: \(cycle.joined(separator: " → "))",
                at: locations[cycle[0]] ?? .unknown
            )
        }
        return reader.errorCount == errorsBefore ? hierarchy : nil
    }

    private static func concept(_ item: JSONValue, sources: Set<String>, _ reader: inout MappingReader) -> Concept? {
        guard var fields = reader.object(item, "concept") else { return nil }
        let id = fields.required("id", &reader).flatMap { reader.string($0, "concept 'id'") }
        let display = fields.required("display", &reader).flatMap { reader.string($0, "concept 'display'") }
        let parents = fields.required("parents", &reader).flatMap { reader.strings($0, "concept 'parents'") }
        let sourceValue = fields.required("source", &reader)
        let source = sourceValue.flatMap { reader.string($0, "concept 'source'") }
        fields.finish(&reader)
        if let id, !TriggerCodeSystem.snomedCT.isWellFormed(id) {
            reader.error("'\(id)' is not a SNOMED CT concept id (check digit or form)", at: item.location)
            return nil
        }
        if let source, let sourceValue, !sources.contains(source) {
            reader.error("source '\(source)' is not one of 'sources'", at: sourceValue.location)
        }
        guard let id, let display, let parents else { return nil }
        return Concept(id: id, display: display, parents: parents)
    }
}
