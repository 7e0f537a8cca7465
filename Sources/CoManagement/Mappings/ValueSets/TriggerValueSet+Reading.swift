import FHIRCore

extension TriggerValueSet {
    /// Compiles a ValueSet resource that the validator accepted; nil when it cannot be used (every
    /// reason recorded in `reader`).
    ///
    /// What R4 leaves optional but matching needs is required here: `url`, `compose`, each include's
    /// `system`. Supported per include or exclude: a `concept` list, or one `filter` with property
    /// `concept` and operator `is-a` or `descendent-of` on a system with a hierarchy. Including other
    /// ValueSets is refused (a service line names each ValueSet it triggers on).
    static func read(_ root: Element, file: String, _ reader: inout MappingReader) -> TriggerValueSet? {
        let errorsBefore = reader.errorCount
        guard let url = root.string("url") else {
            reader.error("ValueSet.url is required: service lines name trigger ValueSets by it", at: root.location)
            return nil
        }
        guard let compose = root.child("compose") else {
            reader.error("ValueSet.compose is required: it says which codes trigger", at: root.location)
            return nil
        }
        let includes = compose.children(named: "include").enumerated().compactMap { index, include in
            Self.rule(include, path: "ValueSet.compose.include[\(index)]", &reader)
        }
        let excludes = compose.children(named: "exclude").enumerated().compactMap { index, exclude in
            Self.rule(exclude, path: "ValueSet.compose.exclude[\(index)]", &reader)
        }
        guard reader.errorCount == errorsBefore else { return nil }
        return TriggerValueSet(
            url: url,
            title: root.string("title") ?? root.string("name"),
            file: file,
            includes: includes,
            excludes: excludes
        )
    }

    private static func rule(_ entry: Element, path: String, _ reader: inout MappingReader) -> ValueSetRule? {
        if entry.child("valueSet") != nil {
            reader.error("\(path).valueSet: including other ValueSets is not supported", at: entry.location)
            return nil
        }
        guard let system = entry.string("system") else {
            reader.error("\(path).system is required", at: entry.location)
            return nil
        }
        let structure = TriggerCodeSystem(rawValue: system)
        let concepts = entry.children(named: "concept")
        let filters = entry.children(named: "filter")
        guard Self.checkSystem(system, structure, hasFilters: !filters.isEmpty, path: path, at: entry, &reader) else {
            return nil
        }
        switch (concepts.isEmpty, filters.count) {
        case (false, 0):
            var codes: Set<String> = []
            for (index, concept) in concepts.enumerated() {
                guard let written = concept.string("code") else { continue }
                let code = structure?.normalised(written) ?? written
                if let structure, !structure.isWellFormed(code) {
                    reader.error(
                        "\(path).concept[\(index)]: '\(written)' is not a code of \(structure.name)",
                        at: concept.location
                    )
                }
                codes.insert(code)
            }
            return ValueSetRule(system: system, selection: .concepts(codes), location: entry.location)
        case (true, 1):
            return Self.filterRule(filters[0], system: system, structure, path: "\(path).filter[0]", &reader)
        default:
            reader.error(
                "\(path): write either a concept list or one filter per include or exclude",
                at: entry.location
            )
            return nil
        }
    }

    private static func filterRule(
        _ filter: Element,
        system: String,
        _ structure: TriggerCodeSystem?,
        path: String,
        _ reader: inout MappingReader
    ) -> ValueSetRule? {
        guard let structure, structure.hasHierarchy else {
            reader.error("\(path): \(system) has no hierarchy Tandem follows; list its codes", at: filter.location)
            return nil
        }
        let property = filter.string("property") ?? ""
        let op = filter.string("op") ?? ""
        let written = filter.string("value") ?? ""
        let value = structure.normalised(written)
        guard property == "concept" else {
            reader.error("\(path).property: only 'concept' is supported, found '\(property)'", at: filter.location)
            return nil
        }
        guard structure.isWellFormed(value) else {
            reader.error("\(path).value: '\(written)' is not a code of \(structure.name)", at: filter.location)
            return nil
        }
        switch op {
        case "is-a": return ValueSetRule(system: system, selection: .isA(value), location: filter.location)
        case "descendent-of":
            return ValueSetRule(system: system, selection: .descendentOf(value), location: filter.location)
        default:
            reader.error(
                "\(path).op: only 'is-a' and 'descendent-of' are supported, found '\(op)'",
                at: filter.location
            )
            return nil
        }
    }

    /// Reports a system Tandem does not know: an error when it looks like a known one mistyped or when
    /// filters need its structure, a warning when its codes are only listed (they then match exactly).
    private static func checkSystem(
        _ system: String,
        _ structure: TriggerCodeSystem?,
        hasFilters: Bool,
        path: String,
        at entry: Element,
        _ reader: inout MappingReader
    ) -> Bool {
        guard structure == nil, !system.hasPrefix(TriggerCodeSystem.tandemNamespace) else { return true }
        if let meant = TriggerCodeSystem.likelyMeant(by: system) {
            reader.error(
                "\(path).system: unknown system '\(system)'; did you mean '\(meant.rawValue)'?",
                at: entry.location
            )
            return false
        }
        if hasFilters {
            reader.error("\(path).system: unknown system '\(system)' cannot be filtered", at: entry.location)
            return false
        }
        reader.warning(
            "\(path).system: unknown system '\(system)'; its codes match exactly as listed",
            at: entry.location
        )
        return true
    }
}
