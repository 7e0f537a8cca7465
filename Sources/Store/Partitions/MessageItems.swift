import CoManagement
import FHIRCore

/// The resources one message changed, as held resources with the names partitions are found by, split
/// into the groups of related resources (components) the message brings.
///
/// Resources of one patient link to each other by the names they are known by and refer to
/// (``CoManagement/ResourceLinks/Names``); shared resources (practitioners, organisations) link nothing
/// and belong to no partition.
struct MessageItems: Sendable {
    /// A patient-scoped resource and its names.
    struct Item: Sendable {
        var held: HeldResource
        var names: ResourceLinks.Names
    }

    var items: [Item]
    /// The shared resources the message changed.
    var shared: [Item]

    init(_ held: [HeldResource]) {
        self.items = []
        self.shared = []
        for item in held {
            let entry = Item(held: item, names: ResourceLinks.linkNames(of: item))
            if ResourceLinks.isShared(item.resource.type) {
                self.shared.append(entry)
            } else {
                self.items.append(entry)
            }
        }
    }

    /// Every name the patient-scoped resources link by.
    var linkingNames: Set<String> { Set(self.items.flatMap(\.names.linking)) }

    /// Every name any of the message's resources refers to or is known by: what must be looked up among
    /// the shared resources to lend them to the partitions.
    var referencedNames: Set<String> {
        Set((self.items + self.shared).flatMap { $0.names.linking + $0.names.shared })
    }

    /// The message's patient-scoped resources grouped with the partitions they reach: items sharing a
    /// linking name are one component, and so are items reaching the same partition.
    ///
    /// - Parameters:
    ///   - partitions: linking name → the partitions holding a resource known by it or referring to it.
    ///   - shared: names of shared resources, which link nothing even where an untyped reference used one.
    func components(partitions: [String: Set<Int64>], shared: Set<String>) -> [Component] {
        var parent = Array(self.items.indices)
        func root(_ index: Int) -> Int {
            var index = index
            while parent[index] != index {
                parent[index] = parent[parent[index]]
                index = parent[index]
            }
            return index
        }
        var firstByName: [String: Int] = [:]
        var firstByPartition: [Int64: Int] = [:]
        for (index, item) in self.items.enumerated() {
            for name in item.names.linking where !shared.contains(name) {
                if let other = firstByName[name] {
                    parent[root(index)] = root(other)
                } else {
                    firstByName[name] = index
                }
                for partition in partitions[name] ?? [] {
                    if let other = firstByPartition[partition] {
                        parent[root(index)] = root(other)
                    } else {
                        firstByPartition[partition] = index
                    }
                }
            }
        }
        var byRoot: [Int: Component] = [:]
        for (index, item) in self.items.enumerated() {
            byRoot[root(index), default: Component(items: [], partitions: [])].items.append(item)
        }
        for (partition, index) in firstByPartition { byRoot[root(index)]!.partitions.insert(partition) }
        return byRoot.keys.sorted().map { byRoot[$0]! }
    }

    /// Patient-scoped resources of the message that belong together, and the existing partitions they
    /// join (none: a new partition; several: they are merged into one).
    struct Component: Sendable {
        var items: [Item]
        var partitions: Set<Int64>
    }
}
