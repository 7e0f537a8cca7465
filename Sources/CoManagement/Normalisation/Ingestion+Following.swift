import FHIRCore

extension Ingestion {
    /// Adds what a later normalisation of the same book changed (Tandem's own Tasks, held after the
    /// message's resources): its events follow this one's for each episode, its episodes replace these.
    public mutating func append(_ later: Ingestion) {
        for change in later.changes {
            if let index = self.changes.firstIndex(where: { $0.episodeID == change.episodeID }) {
                self.changes[index].events += change.events
                self.changes[index].episode = change.episode
                self.changes[index].previousEpisodeID =
                    self.changes[index].previousEpisodeID ?? change.previousEpisodeID
            } else {
                self.changes.append(change)
            }
        }
        let current = Set(self.changes.map(\.episodeID))
        self.retiredEpisodeIDs = Array(Set(self.retiredEpisodeIDs + later.retiredEpisodeIDs).subtracting(current))
            .sorted()
        self.storedKeys += later.storedKeys.filter { !self.storedKeys.contains($0) }
        for issue in later.outcome.issues where issue.severity != .information { self.outcome.append(issue) }
        self.issues.merge(later.issues) { $0 + $1 }
        self.unmatchedReferrals += later.unmatchedReferrals
    }
}
