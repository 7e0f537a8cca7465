import FHIRCore

extension Normaliser {
    /// Stops holding resources their senders deleted, derives the book's episodes again, and records the
    /// withdrawal in every episode that held one of them: a `resource-withdrawn` timeline event after the
    /// changes the deletion made, attributed to the deleted version. An episode that no resource supports
    /// any more still gets its event before it is retired, so the partners who followed it hear why.
    ///
    /// - Parameter withdrawn: the keys of the deleted resources (`ServiceRequest/sr-1`), each with the
    ///   versioned reference of its deletion (`ServiceRequest/sr-1/_history/3`).
    public func withdraw(_ withdrawn: [String: String], from book: inout EpisodeBook) -> Ingestion {
        let keys = withdrawn.keys.sorted()
        let before = book.episodes
        let holding = before.values.filter { episode in
            let members = Set(episode.memberReferences).union(episode.sources)
            return keys.contains(where: members.contains)
        }
        for key in keys { book.remove(key) }
        var ingestion = self.rederive(&book, causes: keys, outcome: Outcome())
        var episodes = book.takeEpisodes()
        for old in holding.sorted(by: { $0.id < $1.id }) {
            let key = keys.first { Set(old.memberReferences).union(old.sources).contains($0) } ?? keys[0]
            let index = ingestion.changes.firstIndex { $0.episodeID == old.id || $0.previousEpisodeID == old.id }
            var change =
                index.map { ingestion.changes[$0] }
                ?? Ingestion.EpisodeChange(episodeID: old.id, events: [], episode: episodes[old.id] ?? old)
            let number = change.episode.timeline.last?.number ?? old.timeline.last?.number ?? 0
            let event = TimelineEvent(
                number: number + 1,
                kind: .resourceWithdrawn,
                at: nil,
                summary: "\(key) was deleted by its sender",
                source: withdrawn[key] ?? key
            )
            change.events.append(event)
            change.episode.timeline.append(event)
            if episodes[change.episodeID] != nil { episodes[change.episodeID] = change.episode }
            if let index { ingestion.changes[index] = change } else { ingestion.changes.append(change) }
        }
        book.restoreEpisodes(episodes)
        return ingestion
    }
}
