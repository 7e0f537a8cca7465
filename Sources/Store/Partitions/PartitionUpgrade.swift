import CoManagement

/// How the one normaliser book kept before partitions (its held resources in `episode_resource`) is cut
/// into partitions when a store opens after migration 11: the shared resources apart, the others grouped
/// by the names they link by, and each episode put in the partition of its sources.
struct PartitionUpgrade: Sendable {
    /// One partition to create: its resources and the names they link by or refer to.
    struct Partition: Sendable {
        var resources: [HeldResource]
        var names: [String]
    }

    var shared: [HeldResource]
    var partitions: [Partition]
    /// Held-resource key → the index of its partition in ``partitions``.
    var partitionOfKey: [String: Int]

    init(resources: [HeldResource]) {
        let items = MessageItems(resources)
        self.shared = items.shared.map(\.held)
        let sharedNames = Set(items.shared.flatMap(\.names.known))
        self.partitions = []
        self.partitionOfKey = [:]
        for component in items.components(partitions: [:], shared: sharedNames) {
            self.partitions.append(
                Partition(
                    resources: component.items.map(\.held),
                    names: Array(Set(component.items.flatMap { $0.names.linking + $0.names.shared })).sorted()
                )
            )
            for item in component.items { self.partitionOfKey[item.held.key] = self.partitions.count - 1 }
        }
    }

    /// The partition (index) an episode belongs to: that of the first of its sources that has one.
    func partition(of episode: Episode) -> Int? {
        episode.sources.lazy.compactMap { self.partitionOfKey[$0] }.first
    }
}
