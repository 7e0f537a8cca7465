import CoManagement
import NIOCore
import PostgresNIO

extension PostgresSession {
    /// Moves what the episode book kept before migration 6 into partitions (``PartitionUpgrade``), then
    /// drops `episode_resource` and `episode_book`, in one transaction. Does nothing once they are gone.
    /// Runs under the migration lock, so one replica does it.
    func upgradeToPartitions() async throws(StoreError) -> PartitionUpgrade? {
        guard let row = try await self.query("SELECT to_regclass('episode_resource') IS NOT NULL").first,
            try row.columns(Bool.self)
        else { return nil }
        return try await self.transaction { (session) throws(StoreError) -> PartitionUpgrade in
            var resources: [HeldResource] = []
            for row in try await session.query("SELECT held FROM episode_resource ORDER BY key") {
                resources.append(
                    try EpisodeJSON.decode(HeldResource.self, from: [UInt8](bytea: try row.columns(ByteBuffer.self)))
                )
            }
            let upgrade = PartitionUpgrade(resources: resources)
            let row = try await session.query("SELECT evaluated_at FROM episode_book WHERE id = 1").first
            let evaluated: ByteBuffer? = try row.flatMap { row throws(StoreError) in try row.columns(ByteBuffer?.self) }
            _ = try await session.writeShared(upgrade.shared)
            var ids: [Int64] = []
            for partition in upgrade.partitions {
                let inserted = try await session.query(
                    "INSERT INTO partition (version, evaluated_at) VALUES (1, \(evaluated)) RETURNING id"
                ).first
                let id: Int64 = try inserted.map { row throws(StoreError) in try row.columns(Int64.self) } ?? 0
                ids.append(id)
                for item in partition.resources {
                    try await session.query(
                        """
                        INSERT INTO partition_resource (key, partition_id, held, arrival)
                        VALUES (\(item.key), \(id), \(try EpisodeJSON.encode(item).bytea), \(Int64(item.arrival)))
                        """
                    )
                }
                try await session.query(
                    """
                    INSERT INTO partition_name (name, partition_id)
                    SELECT n, \(id) FROM unnest(\(partition.names)::text[]) AS n ON CONFLICT DO NOTHING
                    """
                )
            }
            for row in try await session.query("SELECT id, state FROM episode") {
                let (id, state) = try row.columns((String, ByteBuffer).self)
                let episode = try EpisodeJSON.decode(Episode.self, from: [UInt8](bytea: state))
                guard let index = upgrade.partition(of: episode) else { continue }
                try await session.query("UPDATE episode SET partition_id = \(ids[index]) WHERE id = \(id)")
                try await session.query(
                    "UPDATE episode_event SET partition_id = \(ids[index]) WHERE partition_id = 0 AND episode_id = \(id)"
                )
            }
            let highest = resources.map(\.arrival).max() ?? 0
            try await session.query("SELECT setval('held_arrival', \(Int64(highest + 1)))")
            try await session.execute("DROP TABLE episode_resource")
            try await session.execute("DROP TABLE episode_book")
            return upgrade
        }
    }
}
