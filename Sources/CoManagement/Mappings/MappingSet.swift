/// Everything in `Mappings/`, loaded and checked: the data the normaliser turns resources into episodes with.
///
/// Built by ``load(files:)`` from files the caller read; immutable and `Sendable`, so one value is shared
/// by every request.
public struct MappingSet: Sendable {
    /// Service lines, sorted by id (the tie-break when codes trigger several; see ``triggeredServiceLines(by:)``).
    public var serviceLines: [ServiceLine]
    public var roles: RoleTable
    /// Patient identifier systems trusted to match one person across senders, in order of preference.
    public var trustedIdentifierSystems: [String]
    public var extraction: ExtractionRules
    public var conceptMaps: ConceptMapTable
    /// Trigger ValueSets by canonical URL, from `value-sets/`.
    public var valueSets: [String: TriggerValueSet]
    /// The SNOMED CT is-a hierarchy trigger ValueSets filter on.
    public var hierarchy: ConceptHierarchy
    /// Problems that did not stop loading (a role no service line knows, an unrecognised file).
    public var warnings: [MappingProblem]

    public init(
        serviceLines: [ServiceLine],
        roles: RoleTable,
        trustedIdentifierSystems: [String],
        extraction: ExtractionRules,
        conceptMaps: ConceptMapTable = ConceptMapTable(),
        valueSets: [String: TriggerValueSet] = [:],
        hierarchy: ConceptHierarchy = ConceptHierarchy(),
        warnings: [MappingProblem] = []
    ) {
        self.serviceLines = serviceLines.sorted { $0.id < $1.id }
        self.roles = roles
        self.trustedIdentifierSystems = trustedIdentifierSystems
        self.extraction = extraction
        self.conceptMaps = conceptMaps
        self.valueSets = valueSets
        self.hierarchy = hierarchy
        self.warnings = warnings
    }

    /// The service line with the given id.
    public func serviceLine(_ id: String) -> ServiceLine? {
        self.serviceLines.first { $0.id == id }
    }

    /// The service lines any of the codings (after ConceptMap translation) triggers, whether or not the
    /// codes may open an episode (``triggeredServiceLines(by:)`` says which), by id order.
    public func serviceLines(triggeredBy codings: [Coding]) -> [ServiceLine] {
        self.triggeredServiceLines(by: codings).map(\.line)
    }

    /// The role the codings (after ConceptMap translation) name, if any.
    public func role(for codings: [Coding]) -> String? {
        self.roles.role(for: self.conceptMaps.expand(codings))
    }
}
