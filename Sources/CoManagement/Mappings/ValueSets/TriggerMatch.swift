/// Why a coding triggers a service line: the ValueSet and the rule in it that hold the code, and whether
/// the match may open an episode.
public struct TriggerMatch: Sendable, Hashable {
    /// The service line's id.
    public var serviceLine: String
    /// The trigger ValueSet's canonical URL.
    public var valueSet: String
    /// The rule that selected the code, as ``ValueSetRule/summary(matching:)`` writes it.
    public var rule: String
    /// The coding that matched: the one given, or its ConceptMap translation.
    public var coding: Coding
    public var opening: EpisodeOpening

    public init(serviceLine: String, valueSet: String, rule: String, coding: Coding, opening: EpisodeOpening) {
        self.serviceLine = serviceLine
        self.valueSet = valueSet
        self.rule = rule
        self.coding = coding
        self.opening = opening
    }
}

/// What the mappings make of one coding: its ConceptMap translations, the service lines it triggers and
/// how, and the trigger ValueSets that would hold it but for an exclude (``MappingSet/explain(_:)``).
public struct TriggerExplanation: Sendable, Hashable {
    /// The coding asked about.
    public var coding: Coding
    /// Its display in the hierarchy file, for SNOMED CT concepts the file holds.
    public var display: String?
    /// What ConceptMaps translate it to (matched as well).
    public var translations: [Coding]
    public var matches: [TriggerMatch]
    /// Matches an exclude took back: ``TriggerMatch/rule`` is the exclude's rule.
    public var exclusions: [TriggerMatch]
}
