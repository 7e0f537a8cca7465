import CoManagement
import Synchronization

/// The partitions a store process keeps in memory between messages, up to ``capacity``, the least
/// recently used evicted first.
///
/// An entry is used only while its version equals the partition's version in the database, so a replica
/// never normalises against a partition another replica changed since. A message takes the entries it
/// needs out (so that its changes do not copy them) and puts them back once all of it is written; a
/// message that fails puts nothing back, and the partitions are read again next time.
final class PartitionCache: Sendable {
    /// One partition in memory: its book, the version it matches, and the names already looked up among
    /// the shared resources for it (what it has been lent).
    struct Entry: Sendable {
        var version: Int64
        var book: EpisodeBook
        var lent: Set<String> = []
        /// Whether every name the book's resources refer to has been looked up; until then the next
        /// message lends for all of them.
        var lentAll = false
        /// The version of the mappings the book was derived with.
        var mappings: String?

        /// Moves the book out, leaving an empty one: the caller then holds the only reference to its
        /// storage, so changing it copies nothing.
        mutating func takeBook() -> EpisodeBook {
            var book = EpisodeBook()
            swap(&book, &self.book)
            return book
        }
    }

    /// How many partitions are kept at most.
    let capacity: Int
    private let state = Mutex<State>(State())

    private struct State {
        var entries: [Int64: (entry: Entry, used: UInt64)] = [:]
        var clock: UInt64 = 0

        /// Removes all but the `keep` most recently used entries (at least one), and returns them. Each put
        /// ticks the clock, so no two entries share a use: what goes is what was used before the
        /// `keep`-th most recent use. Only the uses are sorted, not the entries with their books.
        mutating func evict(keeping keep: Int) -> [Entry] {
            guard self.entries.count > keep, keep > 0 else { return [] }
            var uses = self.entries.values.map(\.used)
            uses.sort(by: >)
            let oldestKept = uses[keep - 1]
            let stale = self.entries.compactMap { $0.value.used < oldestKept ? $0.key : nil }
            return stale.compactMap { self.entries.removeValue(forKey: $0)?.entry }
        }
    }

    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    /// Takes the partition out when it is held at `version`, derived with the `mappings` version; nil
    /// (and nothing held) otherwise.
    func take(_ id: Int64, version: Int64, mappings: String?) -> Entry? {
        self.state.withLock { state in
            guard let held = state.entries.removeValue(forKey: id), held.entry.version == version,
                held.entry.mappings == mappings
            else { return nil }
            return held.entry
        }
    }

    /// A copy of the partition when it is held at `version`, derived with the `mappings` version, left
    /// in the cache (for a plan made ahead of the writer, which may be dropped).
    func peek(_ id: Int64, version: Int64, mappings: String?) -> Entry? {
        self.state.withLock { state in
            guard let held = state.entries[id], held.entry.version == version, held.entry.mappings == mappings
            else { return nil }
            return held.entry
        }
    }

    /// Keeps `entry` as partition `id`, evicting the least recently used beyond the capacity.
    ///
    /// The evicted books are released after the lock, so that the plans peeking meanwhile do not wait for
    /// their memory to be freed.
    func put(_ id: Int64, _ entry: Entry) {
        guard self.capacity > 0 else { return }
        let evicted = self.state.withLock { state -> [Entry] in
            state.clock += 1
            state.entries[id] = (entry, state.clock)
            // Evict in batches of a tenth, so that a full cache does not scan itself on every message.
            guard state.entries.count > self.capacity else { return [] }
            return state.evict(keeping: self.capacity - self.capacity / 10)
        }
        withExtendedLifetime(evicted) {}
    }

    /// Forgets the partitions (merged into another, or written by a transaction that failed).
    func remove(_ ids: some Sequence<Int64>) {
        self.state.withLock { state in
            for id in ids { state.entries[id] = nil }
        }
    }

    /// Forgets everything (a group commit failed, or the mappings changed).
    func clear() {
        self.state.withLock { $0.entries = [:] }
    }

    /// How many partitions are in memory.
    var count: Int { self.state.withLock { $0.entries.count } }
}
