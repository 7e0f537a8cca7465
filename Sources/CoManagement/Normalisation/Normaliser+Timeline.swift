import FHIRCore

extension Normaliser {
    /// Derives the book's episodes again after `causes` were stored (or its evaluation time moved), numbers
    /// the differences as timeline events and keeps the result in the book.
    ///
    /// Only what changed is computed: the facts of the stored resources and of those that depended on
    /// them are read again (``EpisodeBook/refreshFacts(mappings:)``), and only the episodes whose facts
    /// changed are built and compared; the others are kept as they were.
    func rederive(_ book: inout EpisodeBook, causes: [String], outcome: Outcome) -> Ingestion {
        var outcome = outcome
        book.refreshFacts(mappings: self.mappings)
        // Moved out, so that replacing the few episodes that changed copies none of the others.
        var old = book.takeEpisodes()
        let signatures = book.signatures
        var derivation = EpisodeDerivation(mappings: self.mappings, evaluatedAt: book.evaluatedAt)
        var openedLines: [String: String] = [:]
        for episode in old.values {
            for referral in episode.referrals { openedLines[referral.key] = episode.serviceLine }
        }
        derivation.openedLine = { [openedLines] key in openedLines[key] }
        let result = derivation.derive(book.classified, revisions: book.facts) { id, signature in
            signatures[id] == signature && old[id] != nil
        }
        var issues: [String: [Issue]] = [:]
        for key in causes {
            for issue in result.issues[key] ?? [] {
                issues[key, default: []].append(issue)
                var prefixed = issue
                prefixed.message = "\(key): \(issue.message)"
                outcome.append(prefixed)
            }
        }
        let newIDs = Set(result.signatures.keys)
        let built = result.built
        let predecessors = Self.predecessors(old: old, new: built, current: newIDs)
        var changes: [Ingestion.EpisodeChange] = []
        var derived: [Episode] = []
        for var episode in built {
            let previousID = old[episode.id] == nil ? predecessors[episode.id] : nil
            let previous = old[episode.id] ?? previousID.flatMap { old[$0] }
            var number = previous?.timeline.last?.number ?? 0
            var events: [TimelineEvent] = []
            for change in EpisodeDiff.changes(from: previous?.state, to: episode) {
                number += 1
                events.append(
                    TimelineEvent(
                        number: number,
                        kind: change.kind,
                        at: change.at,
                        summary: change.summary,
                        source: self.source(of: change, causes: causes, book: book),
                        audience: change.audience
                    )
                )
            }
            episode.timeline = (previous?.timeline ?? []) + events
            derived.append(episode)
            if !events.isEmpty || previousID != nil {
                changes.append(
                    Ingestion.EpisodeChange(
                        episodeID: episode.id,
                        previousEpisodeID: previousID,
                        events: events,
                        episode: episode
                    )
                )
            }
        }
        let carried = Set(predecessors.values)
        let retired = old.keys.filter { !newIDs.contains($0) && !carried.contains($0) }.sorted()
        for id in retired + carried { old[id] = nil }
        for episode in derived { old[episode.id] = episode }
        book.restoreEpisodes(old)
        book.signatures = result.signatures
        let unmatched = result.unmatched.filter { causes.isEmpty || causes.contains($0.key) }
        return Ingestion(
            changes: changes,
            retiredEpisodeIDs: retired,
            storedKeys: causes,
            outcome: outcome,
            issues: issues,
            unmatchedReferrals: unmatched
        )
    }

    /// New episode id → the vanished episode it continues: the one sharing the most source resources
    /// (ties: the longer timeline, then the smaller id). Each vanished episode continues at most once.
    /// `current` is the ids of every episode after the derivation, `new` those built in it.
    static func predecessors(old: [String: Episode], new: [Episode], current: Set<String>) -> [String: String] {
        let vanishedIDs = old.keys.filter { !current.contains($0) }
        guard !vanishedIDs.isEmpty, new.contains(where: { old[$0.id] == nil }) else { return [:] }
        var vanished = vanishedIDs.sorted().map { old[$0]! }
        var result: [String: String] = [:]
        for episode in new where old[episode.id] == nil {
            let sources = Set(episode.sources)
            let scored = vanished.map { ($0, Set($0.sources).intersection(sources).count) }.filter { $0.1 > 0 }
            guard
                let best = scored.max(by: {
                    ($0.1, $0.0.timeline.count, $1.0.id) < ($1.1, $1.0.timeline.count, $0.0.id)
                })
            else { continue }
            result[episode.id] = best.0.id
            vanished.removeAll { $0.id == best.0.id }
        }
        return result
    }

    /// The resource an event is attributed to: a candidate the message carried, else what the message
    /// carried, else the most specific candidate (for re-evaluations); versioned when the sender said.
    private func source(of change: EpisodeDiff.Change, causes: [String], book: EpisodeBook) -> String {
        let key = change.sources.first(where: causes.contains) ?? causes.first ?? change.sources.first ?? "evaluation"
        return book.resources[key]?.versionedKey ?? key
    }
}
