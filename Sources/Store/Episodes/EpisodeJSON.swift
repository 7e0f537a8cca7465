import CoManagement
import FHIRCore
import Foundation

/// The JSON forms the store keeps of episode values, shared by every backend: values are encoded with
/// sorted keys.
enum EpisodeJSON {
    /// Sorted keys, so equal values are equal bytes (the bytes Foundation's `JSONEncoder` gives with
    /// sorted keys, written several times faster: this runs for every changed value of every message).
    static func encode(_ value: some Encodable) throws(StoreError) -> [UInt8] {
        do {
            return try SortedKeysJSONEncoder().encode(value)
        } catch {
            throw StoreError(.invalidRequest, "an episode value cannot be encoded: \(error)")
        }
    }

    /// Decodes a value the store encoded (a held resource, an episode, a timeline event).
    static func decode<Value: Decodable>(_ type: Value.Type, from bytes: [UInt8]) throws(StoreError) -> Value {
        do {
            return try MemberJSONDecoder().decode(type, from: bytes)
        } catch {
            throw StoreError(.corrupt, "a stored \(type) cannot be read: \(error)")
        }
    }

    /// An episode as its document shows it: the stored state (the episode without its timeline) with the
    /// timeline events, in number order.
    static func episode(state: [UInt8], events: [[UInt8]]) throws(StoreError) -> Episode {
        var episode = try Self.decode(Episode.self, from: state)
        episode.timeline = try events.map { payload throws(StoreError) in
            try Self.decode(TimelineEvent.self, from: payload)
        }
        return episode
    }

    /// What the store keeps beside an episode for the measures (``CoManagement/MeasureFacts``).
    static func measureFacts(of episode: Episode) throws(StoreError) -> [UInt8] {
        try Self.encode(MeasureFacts(episode))
    }

    /// The stored state of an episode: the episode without its timeline, which is kept event by event.
    static func state(of episode: Episode) throws(StoreError) -> [UInt8] {
        try Self.encode(episode.state)
    }
}
