public import FHIRCore

/// One `compose.include` or `compose.exclude` entry of a trigger ValueSet, as compiled: the codes of one
/// system it selects.
public struct ValueSetRule: Sendable, Hashable {
    /// Which codes of the system the rule selects.
    public enum Selection: Sendable, Hashable {
        /// `concept`: exactly the listed codes (in ``TriggerCodeSystem/normalised(_:)`` form).
        case concepts(Set<String>)
        /// `filter` `concept is-a CODE`: the concept and everything below it.
        case isA(String)
        /// `filter` `concept descendent-of CODE`: everything below the concept, not the concept itself.
        case descendentOf(String)
    }

    /// The system URI as the ValueSet writes it (codings must carry the same).
    public var system: String
    public var selection: Selection
    /// Where the include or exclude starts in its file.
    public var location: SourceLocation

    public init(system: String, selection: Selection, location: SourceLocation = .unknown) {
        self.system = system
        self.selection = selection
        self.location = location
    }

    /// Whether the rule selects the code (already normalised for the rule's system).
    func selects(_ code: String, hierarchy: ConceptHierarchy) -> Bool {
        let structure = TriggerCodeSystem(rawValue: self.system)
        switch self.selection {
        case .concepts(let codes):
            return codes.contains(code)
        case .isA(let ancestor):
            return code == ancestor || Self.descends(code, from: ancestor, structure, hierarchy)
        case .descendentOf(let ancestor):
            return code != ancestor && Self.descends(code, from: ancestor, structure, hierarchy)
        }
    }

    /// ICD-10 by code structure (a subcode starts with its category), SNOMED CT through the hierarchy file.
    private static func descends(
        _ code: String,
        from ancestor: String,
        _ structure: TriggerCodeSystem?,
        _ hierarchy: ConceptHierarchy
    ) -> Bool {
        switch structure {
        case .icd10CM, .icd10: code.count > ancestor.count && code.hasPrefix(ancestor)
        case .snomedCT: hierarchy.isDescendant(code, of: ancestor)
        case .cpt, .hcpcs, nil: false
        }
    }

    /// How the rule reads for a person: `concept is-a S72.1`, or for a list the one code that matched.
    public func summary(matching code: String? = nil) -> String {
        let structure = TriggerCodeSystem(rawValue: self.system)
        func written(_ code: String) -> String { structure?.written(code) ?? code }
        switch self.selection {
        case .concepts(let codes):
            if let code, codes.contains(code) { return "concept \(written(code))" }
            return "concepts \(codes.sorted().map(written).joined(separator: ", "))"
        case .isA(let ancestor): return "concept is-a \(written(ancestor))"
        case .descendentOf(let ancestor): return "concept descendent-of \(written(ancestor))"
        }
    }
}
