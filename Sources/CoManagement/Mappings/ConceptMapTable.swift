public import FHIRCore

/// Code translations from the FHIR ConceptMaps in `Mappings/concept-maps/`, applied before triggers,
/// roles and Task business statuses are matched.
public struct ConceptMapTable: Sendable, Hashable {
    /// `system|code` of a source concept → its targets, in the maps' order.
    private var targets: [String: [Coding]] = [:]

    public init() {}

    /// Adds the translations of one ConceptMap resource; returns what is wrong with it (empty when fine).
    ///
    /// Only `equivalence` values that mean the concepts match are used: `unmatched` and `disjoint` say
    /// the opposite, so translating through them would make a wrong trigger fire.
    public mutating func add(conceptMap: Element) -> [(message: String, location: SourceLocation)] {
        var problems: [(String, SourceLocation)] = []
        guard conceptMap.type == "ConceptMap" || conceptMap.name == "ConceptMap" else {
            return [("expected a ConceptMap resource, found \(conceptMap.type)", conceptMap.location)]
        }
        let statuses = R4Metadata.shared.codes(ofValueSet: "PublicationStatus") ?? []
        if let status = conceptMap.child("status") {
            if !statuses.contains(status.value ?? "") {
                problems.append(
                    ("ConceptMap.status '\(status.value ?? "")' is not a PublicationStatus code", status.location)
                )
            }
        } else {
            problems.append(("ConceptMap.status is required", conceptMap.location))
        }
        let equivalences = R4Metadata.shared.codes(ofValueSet: "ConceptMapEquivalence") ?? []
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
                    guard equivalences.contains(equivalence) else {
                        problems.append(
                            (
                                "ConceptMap.group.element.target.equivalence '\(equivalence)' is not valid",
                                mapped.location
                            )
                        )
                        continue
                    }
                    guard equivalence != "unmatched", equivalence != "disjoint", let targetCode = mapped.string("code")
                    else {
                        continue
                    }
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
