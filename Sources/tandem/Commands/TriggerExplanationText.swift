import CoManagement

/// The text `tandem mappings explain` prints: the coding, its translations, then one line per service
/// line it triggers with the ValueSet, its file and the rule, and the excludes that took it back.
enum TriggerExplanationText {
    static func render(_ explanation: TriggerExplanation, valueSets: [String: TriggerValueSet]) -> String {
        let coding = explanation.coding
        var lines = ["\(coding.system ?? "")|\(coding.code)" + (explanation.display.map { " (\($0))" } ?? "")]
        for translation in explanation.translations {
            lines.append("  translated by a ConceptMap to \(translation.system ?? "")|\(translation.code)")
        }
        func source(_ match: TriggerMatch) -> String {
            let file = valueSets[match.valueSet].map { " (value-sets/\($0.file.split(separator: "/").last ?? ""))" }
            return "ValueSet \(match.valueSet)\(file ?? ""), rule: \(match.rule)"
        }
        for match in explanation.matches {
            let opening =
                switch match.opening {
                case .opens: "opens an episode"
                case .joinsOpenEpisode: "joins the patient's open episode only (subsequent encounter or sequela)"
                }
            let via = match.coding == coding ? "" : " via \(match.coding.system ?? "")|\(match.coding.code)"
            lines.append("  \(match.serviceLine): \(opening)\(via)")
            lines.append("    \(source(match))")
        }
        for exclusion in explanation.exclusions {
            lines.append("  \(exclusion.serviceLine): excluded")
            lines.append("    \(source(exclusion))")
        }
        if explanation.matches.isEmpty && explanation.exclusions.isEmpty {
            lines.append("  triggers no service line")
        }
        return lines.joined(separator: "\n")
    }
}
