public import FHIRCore

/// Code translations from the FHIR ConceptMaps in `Mappings/concept-maps/`, applied before triggers,
/// roles and Task business statuses are matched.
public struct ConceptMapTable: Sendable, Hashable {
    /// `system|code` of a source concept → its targets, in the maps' order.
    private var targets: [String: [Coding]] = [:]

    public init() {}

    /// Adds the translations of one ConceptMap resource; returns what stops it from translating
    /// (empty when fine).
    ///
    /// Structural validity (status, equivalence codes, cardinalities) is the validator's job and is
    /// checked before this; what is checked here is what translation needs and R4 leaves optional:
    /// a group's `source` and `target` systems, an element's `code`. Only `equivalence` values that
    /// mean the concepts match are used: `unmatched` and `disjoint` say the opposite, so translating
    /// through them would make a wrong trigger fire.
    public mutating func add(conceptMap: Element) -> [(message: String, location: SourceLocation)] {
        guard conceptMap.type == "ConceptMap" else {
            return [("expected a ConceptMap resource, found \(conceptMap.type)", conceptMap.location)]
        }
        var problems: [(String, SourceLocation)] = []
        for group in conceptMap.children(named: "group") {
            guard let source = group.string("source"), let target = group.string("target") else {
                problems.append(
                    ("ConceptMap.group needs 'source' and 'target' systems to translate codings", group.location)
                )
                continue
            }
            for element in group.children(named: "element") {
                guard let code = element.string("code") else {
                    problems.append(("ConceptMap.group.element needs a 'code'", element.location))
                    continue
                }
                for mapped in element.children(named: "target") {
                    let equivalence = mapped.string("equivalence") ?? ""
                    guard equivalence != "unmatched", equivalence != "disjoint", let targetCode = mapped.string("code")
                    else { continue }
                    self.targets["\(source)|\(code)", default: []].append(
                        Coding(system: target, code: targetCode, display: mapped.string("display"))
                    )
                }
            }
        }
        return problems
    }

    /// The codes a coding translates to (not including itself).
    public func translate(_ coding: Coding) -> [Coding] {
        self.targets["\(coding.system ?? "")|\(coding.code)"] ?? []
    }

    /// The codings followed by their translations, without duplicates: both count when matching.
    public func expand(_ codings: [Coding]) -> [Coding] {
        var result: [Coding] = []
        for coding in codings + codings.flatMap(self.translate) {
            if !result.contains(where: { $0.system == coding.system && $0.code == coding.code }) {
                result.append(coding)
            }
        }
        return result
    }
}
