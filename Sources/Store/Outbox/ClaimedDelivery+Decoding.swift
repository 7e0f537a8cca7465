import CoManagement
import FHIRCore

/// The timeline event an outbox row stores, as JSON.
enum OutboxEvent {
    /// - Throws: ``StoreError/Code/corrupt`` for an unreadable event.
    static func decode(_ bytes: [UInt8], row: Int64) throws(StoreError) -> TimelineEvent {
        do {
            return try MemberJSONDecoder().decode(TimelineEvent.self, from: bytes)
        } catch {
            throw StoreError(.corrupt, "outbox row \(row) holds an unreadable event: \(error)")
        }
    }
}

/// The parties of the episodes one claim touches, each decoded once from its episode's stored state: the rows
/// of a run share their episode.
struct EpisodePartiesCache {
    private var decoded: [String: EpisodeParties?] = [:]

    /// The parties of `episodeID` from its stored `state`; nil when the episode is gone (no state) or its
    /// state cannot be read.
    mutating func parties(of episodeID: String, state: [UInt8]?) -> EpisodeParties? {
        if let known = self.decoded[episodeID] { return known }
        let parties = state.flatMap { $0.isEmpty ? nil : $0 }.flatMap {
            try? MemberJSONDecoder().decode(EpisodeParties.self, from: $0)
        }
        self.decoded[episodeID] = parties
        return parties
    }
}
