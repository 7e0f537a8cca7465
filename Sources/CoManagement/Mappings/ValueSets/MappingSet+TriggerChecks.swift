import FHIRCore

extension MappingSet {
    /// What only the whole set can check: each trigger URL a service line names is a loaded ValueSet,
    /// and each SNOMED CT concept a ValueSet filters on is in the hierarchy file (else the filter would
    /// select that concept alone). A ValueSet no service line names is a warning.
    static func checkTriggers(
        _ lines: [(line: ServiceLine, triggersAt: [SourceLocation], file: String)],
        _ valueSets: [String: TriggerValueSet],
        _ hierarchy: ConceptHierarchy
    ) -> [MappingProblem] {
        var problems: [MappingProblem] = []
        for (line, locations, file) in lines {
            for (url, location) in zip(line.triggers, locations) where valueSets[url] == nil {
                problems.append(MappingProblem(file: file, at: location, "no ValueSet in value-sets/ has url '\(url)'"))
            }
        }
        let named = Set(lines.flatMap(\.line.triggers))
        for url in valueSets.keys.sorted() {
            let valueSet = valueSets[url]!
            if !named.contains(url) {
                problems.append(
                    MappingProblem(.warning, file: valueSet.file, "ValueSet \(url) is named by no service line")
                )
            }
            for rule in valueSet.includes + valueSet.excludes where rule.system == TriggerCodeSystem.snomedCT.rawValue {
                switch rule.selection {
                case .isA(let concept), .descendentOf(let concept):
                    if hierarchy.concepts[concept] == nil {
                        problems.append(
                            MappingProblem(
                                file: valueSet.file,
                                at: rule.location,
                                "SNOMED CT concept \(concept) is not in \(ConceptHierarchy.fileName)"
                            )
                        )
                    }
                case .concepts: break
                }
            }
        }
        return problems
    }
}
