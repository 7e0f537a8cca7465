import CoManagement
import Logging

extension SQLiteConnection {
    /// Moves what the episode book kept before migration 11 into partitions (``PartitionUpgrade``), then
    /// drops `episode_resource` and `episode_book`, in one transaction. Does nothing once they are gone.
    mutating func upgradeToPartitions(logger: Logger) throws(StoreError) {
        let exists = try self.query(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'episode_resource'"
        )
        guard !exists.isEmpty else { return }
        try self.execute("BEGIN IMMEDIATE")
        do throws(StoreError) {
            let resources = try self.query("SELECT held FROM episode_resource ORDER BY key").map {
                row throws(StoreError) in try EpisodeJSON.decode(HeldResource.self, from: row.blob(0))
            }
            let upgrade = PartitionUpgrade(resources: resources)
            let evaluated = try self.query("SELECT evaluated_at FROM episode_book WHERE id = 1").first?.blob(0)
            _ = try self.writeShared(upgrade.shared)
            var ids: [Int64] = []
            for partition in upgrade.partitions {
                try self.query(
                    "INSERT INTO partition (version, evaluated_at) VALUES (1, ?)",
                    [evaluated.map { $0.isEmpty ? .null : .blob($0) } ?? .null]
                )
                let id = self.lastInsertedRowID
                ids.append(id)
                for item in partition.resources {
                    try self.query(
                        "INSERT INTO partition_resource (key, partition_id, held, arrival) VALUES (?, ?, ?, ?)",
                        [
                            .text(item.key), .integer(id), .blob(try EpisodeJSON.encode(item)),
                            .integer(Int64(item.arrival)),
                        ]
                    )
                }
                for name in partition.names {
                    try self.query(
                        "INSERT OR IGNORE INTO partition_name (name, partition_id) VALUES (?, ?)",
                        [.text(name), .integer(id)]
                    )
                }
            }
            for row in try self.query("SELECT id, state FROM episode") {
                let episode = try EpisodeJSON.decode(Episode.self, from: row.blob(1))
                guard let index = upgrade.partition(of: episode) else { continue }
                try self.query(
                    "UPDATE episode SET partition_id = ? WHERE id = ?",
                    [.integer(ids[index]), .text(row.text(0) ?? "")]
                )
                try self.query(
                    "UPDATE episode_event SET partition_id = ? WHERE partition_id = 0 AND episode_id = ?",
                    [.integer(ids[index]), .text(row.text(0) ?? "")]
                )
            }
            try self.execute("DROP TABLE episode_resource; DROP TABLE episode_book;")
            try self.execute("COMMIT")
            logger.info(
                "episode book moved into partitions",
                metadata: [
                    "tandem.store.partitions": "\(upgrade.partitions.count)",
                    "tandem.store.sharedResources": "\(upgrade.shared.count)",
                ]
            )
        } catch {
            try? self.execute("ROLLBACK")
            throw error
        }
    }

    /// The highest arrival number held, from which the writer numbers new ones.
    mutating func highestArrival() throws(StoreError) -> Int {
        let row = try self.query(
            """
            SELECT max(coalesce((SELECT max(arrival) FROM partition_resource), 0),
                coalesce((SELECT max(arrival) FROM shared_resource), 0))
            """
        ).first
        return Int(row?.integer(0) ?? 0)
    }
}
