import FHIRCore

extension MappingSet {
    /// Every way the codings (and their ConceptMap translations) trigger a service line: by service line
    /// id, then in the codings' order, then the service line's order of trigger ValueSets.
    public func triggerMatches(for codings: [Coding]) -> [TriggerMatch] {
        self.evaluate(self.conceptMaps.expand(codings)).matches
    }

    /// The service lines the codings trigger, each with what the codings allow: the line opens an
    /// episode only when every matching code allows it (a code naming a subsequent encounter or sequela
    /// makes the referral a continuation of care already under way).
    ///
    /// Ordered by the first coding that triggers each line, then by id: the extraction lists a
    /// referral's `code` before its `category` and `reasonCode`, so what is requested outranks a
    /// comorbidity given as a reason.
    public func triggeredServiceLines(by codings: [Coding]) -> [(line: ServiceLine, opening: EpisodeOpening)] {
        let expanded = self.conceptMaps.expand(codings)
        let matches = self.evaluate(expanded).matches
        // A translation ranks with the coding it translates.
        func rank(_ coding: Coding) -> Int {
            if let index = codings.firstIndex(of: coding) { return index }
            return codings.firstIndex { self.conceptMaps.translate($0).contains(coding) } ?? codings.count
        }
        let triggered: [(line: ServiceLine, opening: EpisodeOpening, rank: Int)] = self.serviceLines.compactMap {
            line in
            let own = matches.filter { $0.serviceLine == line.id }
            guard let opening = own.map(\.opening).max(), let rank = own.map({ rank($0.coding) }).min() else {
                return nil
            }
            return (line, opening, rank)
        }
        return triggered.sorted { ($0.rank, $0.line.id) < ($1.rank, $1.line.id) }.map { ($0.line, $0.opening) }
    }

    /// Which service lines a coding triggers, through which ValueSet and rule, and which excludes took
    /// it back: what `tandem mappings explain` prints.
    public func explain(_ coding: Coding) -> TriggerExplanation {
        let translations = self.conceptMaps.translate(coding)
        let (matches, exclusions) = self.evaluate(self.conceptMaps.expand([coding]))
        let display =
            coding.system == TriggerCodeSystem.snomedCT.rawValue ? self.hierarchy.display(of: coding.code) : nil
        return TriggerExplanation(
            coding: coding,
            display: display,
            translations: translations,
            matches: matches,
            exclusions: exclusions
        )
    }

    private func evaluate(_ codings: [Coding]) -> (matches: [TriggerMatch], exclusions: [TriggerMatch]) {
        var matches: [TriggerMatch] = []
        var exclusions: [TriggerMatch] = []
        for line in self.serviceLines {
            for coding in codings {
                let structure = coding.system.flatMap(TriggerCodeSystem.init(rawValue:))
                let code = structure?.normalised(coding.code) ?? coding.code
                let opening = EpisodeOpening.of(code, in: structure)
                for url in line.triggers {
                    let decided: (rule: ValueSetRule, excluded: Bool)
                    switch self.valueSets[url]?.membership(of: coding, hierarchy: self.hierarchy) {
                    case .included(let rule): decided = (rule, false)
                    case .excluded(let rule, _): decided = (rule, true)
                    case nil: continue
                    }
                    let match = TriggerMatch(
                        serviceLine: line.id,
                        valueSet: url,
                        rule: decided.rule.summary(matching: code),
                        coding: coding,
                        opening: opening
                    )
                    if decided.excluded { exclusions.append(match) } else { matches.append(match) }
                }
            }
        }
        return (matches, exclusions)
    }
}
