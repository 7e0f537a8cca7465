/// A FHIR R4 ValueSet from `Mappings/value-sets/`, compiled for matching trigger codes: its canonical
/// URL and the rules of its `compose`.
///
/// A code is in the set when some include selects it and no exclude does (FHIR's `compose` semantics).
/// Codes are compared in each system's normalised form (``TriggerCodeSystem/normalised(_:)``).
public struct TriggerValueSet: Sendable, Hashable {
    /// `ValueSet.url`: what service lines name in `triggers`.
    public var url: String
    /// `ValueSet.title`, else `name`.
    public var title: String?
    /// The file it was read from, relative to `Mappings/`.
    public var file: String
    public var includes: [ValueSetRule]
    public var excludes: [ValueSetRule]

    public init(url: String, title: String?, file: String, includes: [ValueSetRule], excludes: [ValueSetRule]) {
        self.url = url
        self.title = title
        self.file = file
        self.includes = includes
        self.excludes = excludes
    }

    /// Whether, and by which rules, the set holds a coding.
    public enum Membership: Sendable, Hashable {
        case included(by: ValueSetRule)
        /// An include selects the code but an exclude takes it out again.
        case excluded(by: ValueSetRule, includedBy: ValueSetRule)
    }

    /// The rules that decide the coding's membership; nil when no include selects it.
    public func membership(of coding: Coding, hierarchy: ConceptHierarchy) -> Membership? {
        guard let system = coding.system else { return nil }
        let code = TriggerCodeSystem(rawValue: system)?.normalised(coding.code) ?? coding.code
        guard
            let include = self.includes.first(where: {
                $0.system == system && $0.selects(code, hierarchy: hierarchy)
            })
        else { return nil }
        if let exclude = self.excludes.first(where: { $0.system == system && $0.selects(code, hierarchy: hierarchy) }) {
            return .excluded(by: exclude, includedBy: include)
        }
        return .included(by: include)
    }
}
