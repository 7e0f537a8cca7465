import FHIRCore

extension MappingSet {
    /// Loads and checks the mappings from files the caller read (paths relative to `Mappings/`).
    ///
    /// Every problem in every file is collected: malformed JSON, missing, unknown or mistyped fields, a
    /// service line whose id is not its file name, a phase no role owns, handoffs or reports naming
    /// unknown roles or phases, expressions that do not parse, ConceptMaps and ValueSets that are not
    /// valid, trigger ValueSets that no file defines or that filter on SNOMED CT concepts the hierarchy
    /// file lacks, a hierarchy with cycles. Files other than `.json` (the README) are ignored.
    /// - Throws: ``MappingErrors`` with every error and warning when there is at least one error.
    public static func load(files: [MappingFile]) throws(MappingErrors) -> MappingSet {
        var problems: [MappingProblem] = []
        var serviceLines: [(line: ServiceLine, triggersAt: [SourceLocation], file: String)] = []
        var valueSets: [String: TriggerValueSet] = [:]
        var hierarchy: ConceptHierarchy?
        var roles: (RoleTable, [SourceLocation])?
        var trusted: [String]?
        var base: [String: [String: FHIRPathExpression]]?
        var senders: [String: [String: [String: FHIRPathExpression]]] = [:]
        var conceptMaps = ConceptMapTable()
        var rolesFile = "roles.json"

        for file in files.sorted(by: { $0.path < $1.path }) {
            var reader = MappingReader(file: file.path)
            defer { problems += reader.problems }
            // ConceptMaps are FHIR resources: read with the FHIR codec (JSON or XML) and validated.
            if file.path.hasPrefix("concept-maps/") {
                if file.path.hasSuffix(".json") || file.path.hasSuffix(".xml") {
                    Self.readConceptMap(file, into: &conceptMaps, &reader)
                }
                continue
            }
            if file.path.hasPrefix("value-sets/") {
                if file.path.hasSuffix(".json") || file.path.hasSuffix(".xml"),
                    let valueSet = Self.readValueSet(file, &reader)
                {
                    if let other = valueSets[valueSet.url] {
                        reader.error("ValueSet \(valueSet.url) is also defined in \(other.file)", at: .unknown)
                    }
                    valueSets[valueSet.url] = valueSet
                }
                continue
            }
            guard file.path.hasSuffix(".json") else { continue }
            guard let root = reader.parse(file.bytes) else { continue }
            let name = String(file.path.split(separator: "/").last ?? "")
            let stem = String(name.dropLast(".json".count))
            switch file.path {
            case "roles.json":
                rolesFile = file.path
                roles = Self.readRoles(root, &reader)
            case "patients.json":
                trusted = Self.readPatients(root, &reader)
            case "extraction.json":
                base = Self.readExtraction(root, &reader)
            case ConceptHierarchy.fileName:
                hierarchy = ConceptHierarchy.read(root, &reader)
            case _ where file.path.hasPrefix("service-lines/"):
                if let (line, locations) = ServiceLine.read(root, fileID: stem, &reader) {
                    serviceLines.append((line, locations, file.path))
                }
            case _ where file.path.hasPrefix("senders/"):
                if let (sender, fields) = Self.readSender(root, fileID: stem, &reader) { senders[sender] = fields }
            default:
                reader.warning("unrecognised mapping file; it is ignored", at: .unknown)
            }
        }
        for (present, path) in [
            (roles != nil, "roles.json"), (trusted != nil, "patients.json"), (base != nil, "extraction.json"),
        ]
        where !present && !problems.contains(where: { $0.file == path }) {
            problems.append(MappingProblem(file: path, "required mapping file is missing"))
        }
        if serviceLines.isEmpty && !problems.contains(where: { $0.file.hasPrefix("service-lines/") }) {
            problems.append(MappingProblem(file: "service-lines/", "no service line is defined"))
        }
        problems += Self.checkTriggers(serviceLines, valueSets, hierarchy ?? ConceptHierarchy())
        if let (table, locations) = roles {
            for (rule, location) in zip(table.rules, locations)
            where !serviceLines.contains(where: { $0.line.knows(role: rule.role) }) {
                problems.append(
                    MappingProblem(
                        .warning,
                        file: rolesFile,
                        at: location,
                        "role '\(rule.role)' is known to no service line"
                    )
                )
            }
        }
        guard !problems.contains(where: { $0.severity == .error }), let roles, let trusted, let base else {
            throw MappingErrors(problems: problems)
        }
        return MappingSet(
            serviceLines: serviceLines.map(\.line),
            roles: roles.0,
            trustedIdentifierSystems: trusted,
            extraction: ExtractionRules(base: base, senders: senders),
            conceptMaps: conceptMaps,
            valueSets: valueSets,
            hierarchy: hierarchy ?? ConceptHierarchy(),
            warnings: problems
        )
    }

    private static func readRoles(_ root: JSONValue, _ reader: inout MappingReader) -> (RoleTable, [SourceLocation])? {
        guard var fields = reader.object(root, "roles file") else { return nil }
        _ = fields.optional("description")
        let items = fields.required("rules", &reader).flatMap { reader.array($0, "'rules'") }
        fields.finish(&reader)
        guard let items else { return nil }
        var rules: [RoleTable.Rule] = []
        var locations: [SourceLocation] = []
        for item in items {
            guard var rule = reader.object(item, "role rule") else { continue }
            let system = rule.required("system", &reader).flatMap { reader.string($0, "'system'") }
            let code = rule.required("code", &reader).flatMap { reader.string($0, "'code'") }
            let role = rule.required("role", &reader).flatMap { reader.string($0, "'role'") }
            _ = rule.optional("display").flatMap { reader.string($0, "'display'") }
            rule.finish(&reader)
            if let system, let code, let role {
                rules.append(RoleTable.Rule(system: system, code: code, role: role))
                locations.append(item.location)
            }
        }
        return rules.count == items.count ? (RoleTable(rules: rules), locations) : nil
    }

    private static func readPatients(_ root: JSONValue, _ reader: inout MappingReader) -> [String]? {
        guard var fields = reader.object(root, "patients file") else { return nil }
        _ = fields.optional("description")
        let systems = fields.required("trustedIdentifierSystems", &reader).flatMap {
            reader.strings($0, "'trustedIdentifierSystems'")
        }
        fields.finish(&reader)
        return systems
    }

    /// Reads `resources` (type → field → expression), checking fields against the catalog.
    private static func readResources(
        _ value: JSONValue,
        requireAll: Bool,
        _ reader: inout MappingReader
    ) -> [String: [String: FHIRPathExpression]]? {
        guard let types = reader.object(value, "'resources'") else { return nil }
        var result: [String: [String: FHIRPathExpression]] = [:]
        let before = reader.problems.count
        for type in types.members {
            guard let known = ExtractionRules.catalog[type.key] else {
                reader.error("no fields are extracted from resource type '\(type.key)'", at: type.keyLocation)
                continue
            }
            guard let fields = reader.object(type.value, "fields of \(type.key)") else { continue }
            var paths: [String: FHIRPathExpression] = [:]
            for field in fields.members {
                guard known.contains(field.key) else {
                    reader.error("unknown field '\(field.key)' for \(type.key)", at: field.keyLocation)
                    continue
                }
                guard let text = reader.string(field.value, "expression of \(type.key).\(field.key)") else { continue }
                do {
                    paths[field.key] = try FHIRPathExpression(text)
                } catch {
                    let location = field.value.location
                    // +1 for the opening quote of the JSON string (exact while the text has no escapes).
                    let column = Int(location.column) + 1 + (error.position ?? 0)
                    reader.error(
                        "FHIRPath expression of \(type.key).\(field.key) does not parse: \(error.message)",
                        at: SourceLocation(line: Int(location.line), column: column)
                    )
                }
            }
            if requireAll {
                for field in known where fields.members.allSatisfy({ $0.key != field }) {
                    reader.error("missing field '\(field)' for \(type.key)", at: type.value.location)
                }
            }
            result[type.key] = paths
        }
        if requireAll {
            for type in ExtractionRules.catalog.keys.sorted()
            where result[type] == nil
                && !types.members.contains(where: { $0.key == type })
            {
                reader.error("missing resource type '\(type)' in 'resources'", at: value.location)
            }
        }
        return reader.problems.count == before ? result : nil
    }

    private static func readExtraction(
        _ root: JSONValue,
        _ reader: inout MappingReader
    ) -> [String: [String: FHIRPathExpression]]? {
        guard var fields = reader.object(root, "extraction file") else { return nil }
        _ = fields.optional("description")
        let resources = fields.required("resources", &reader).flatMap {
            Self.readResources($0, requireAll: true, &reader)
        }
        fields.finish(&reader)
        return resources
    }

    private static func readSender(
        _ root: JSONValue,
        fileID: String,
        _ reader: inout MappingReader
    ) -> (String, [String: [String: FHIRPathExpression]])? {
        guard var fields = reader.object(root, "sender file") else { return nil }
        let senderValue = fields.required("sender", &reader)
        let sender = senderValue.flatMap { reader.string($0, "'sender'") }
        _ = fields.optional("description")
        let resources = fields.required("resources", &reader).flatMap {
            Self.readResources($0, requireAll: false, &reader)
        }
        fields.finish(&reader)
        if let sender, let senderValue, sender != fileID {
            reader.error("sender '\(sender)' does not match its file name '\(fileID).json'", at: senderValue.location)
            return nil
        }
        guard let sender, let resources else { return nil }
        return (sender, resources)
    }
}
