import CoManagement
import Testing

@testable import Store

/// The partitions kept in memory: a full cache evicts a tenth of its capacity, the least recently put
/// first, and keeps the rest at their versions.
@Suite struct PartitionCacheTests {
    static func entry(version: Int64) -> PartitionCache.Entry {
        PartitionCache.Entry(version: version, book: EpisodeBook())
    }

    /// The ids of 1...`upTo` still held at version 1.
    static func held(_ cache: PartitionCache, upTo last: Int64) -> [Int64] {
        (1...last).filter { cache.peek($0, version: 1, mappings: nil) != nil }
    }

    @Test func aFullCacheEvictsATenthOfItsCapacityLeastRecentlyPutFirst() {
        let cache = PartitionCache(capacity: 20)
        for id in Int64(1)...20 { cache.put(id, Self.entry(version: 1)) }
        #expect(cache.count == 20)
        // Put again, 3 becomes the most recent; the 21st leaves the 18 most recent (20 less a tenth): 1, 2
        // and 4 go.
        cache.put(3, Self.entry(version: 1))
        cache.put(21, Self.entry(version: 1))
        #expect(cache.count == 18)
        #expect(Self.held(cache, upTo: 21) == [3] + Array(5...21))
        // The next eviction waits until the cache is over its capacity again, then 5, 6 and 7 go.
        for id in Int64(22)...23 { cache.put(id, Self.entry(version: 1)) }
        #expect(cache.count == 20)
        cache.put(24, Self.entry(version: 1))
        #expect(Self.held(cache, upTo: 24) == [3] + Array(8...24))
    }

    @Test func anEntryIsHeldOnlyAtItsVersionAndTakingItLeavesNothing() {
        let cache = PartitionCache(capacity: 4)
        cache.put(1, Self.entry(version: 2))
        #expect(cache.peek(1, version: 1, mappings: nil) == nil)
        #expect(cache.take(1, version: 2, mappings: nil)?.version == 2)
        #expect(cache.count == 0)
    }

    @Test func noCapacityHoldsNothing() {
        let cache = PartitionCache(capacity: 0)
        cache.put(1, Self.entry(version: 1))
        #expect(cache.count == 0)
    }
}
