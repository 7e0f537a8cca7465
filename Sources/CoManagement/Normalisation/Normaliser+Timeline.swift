import FHIRCore

extension Normaliser {
    /// Re-derives every episode from the held resources, numbers the differences as timeline events
    /// and stores the result in the book.
    func rederive(_ book: inout EpisodeBook, causes: [String], outcome: Outcome) -> Ingestion {
        var outcome = outcome
        let scope = causes.isEmpty ? nil : Self.scope(of: causes, in: book)
        let derivation = EpisodeDerivation(mappings: self.mappings, evaluatedAt: book.evaluatedAt)
        let result = derivation.derive(book.index, scope: scope)
        for key in causes {
            for issue in result.issues[key] ?? [] {
                var issue = issue
                issue.message = "\(key): \(issue.message)"
                outcome.append(issue)
            }
        }
        // Only the episodes of the affected resources are replaced; the rest of the book stays as it is.
        let old = scope.map { book.episodes(builtFrom: $0) } ?? book.episodes
        let newIDs = Set(result.episodes.map(\.id))
        let predecessors = Self.predecessors(old: old, new: result.episodes)
        var changes: [Ingestion.EpisodeChange] = []
        var derived: [Episode] = []
        for var episode in result.episodes {
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
                        source: self.source(of: change, causes: causes, book: book)
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
        book.replaceEpisodes(old.keys, with: derived)
        let unmatched = result.unmatched.filter { causes.isEmpty || causes.contains($0.key) }
        return Ingestion(
            changes: changes,
            retiredEpisodeIDs: retired,
            storedKeys: causes,
            outcome: outcome,
            unmatchedReferrals: unmatched
        )
    }

    /// The resources whose episodes a message can change: those related to what it stored, and,
    /// until nothing more is added, those related to the episodes they were part of (a resource that
    /// changed patient leaves its old episode, which must be re-derived too).
    static func scope(of causes: [String], in book: EpisodeBook) -> Set<String> {
        var scope = book.links.related(to: causes).union(causes)
        var done: Set<String> = []
        while true {
            let touched = book.episodes(builtFrom: scope).values.filter { !done.contains($0.id) }
            guard !touched.isEmpty else { return scope }
            for episode in touched {
                done.insert(episode.id)
                scope.formUnion(book.links.related(to: episode.sources))
            }
        }
    }

    /// New episode id → the vanished episode it continues: the one sharing the most source resources
    /// (ties: the longer timeline, then the smaller id). Each vanished episode continues at most once.
    static func predecessors(old: [String: Episode], new: [Episode]) -> [String: String] {
        let newIDs = Set(new.map(\.id))
        var vanished = old.values.filter { !newIDs.contains($0.id) }.sorted { $0.id < $1.id }
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
