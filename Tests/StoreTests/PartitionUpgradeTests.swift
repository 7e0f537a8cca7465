import CoManagement
import FHIRCore
import Foundation
import PostgresNIO
import Testing

@testable import Store

/// A store written before partitions (one episode book: every held resource in `episode_resource`, whole
/// episode documents with their timelines) opens on the new schema in place: its resources are cut into
/// partitions, its episodes keep their documents, and the next message carries their timelines on.
@Suite struct PartitionUpgradeTests {
    static let sender = "lakeside-eye-surgery"
    static let steps = [
        "ophthalmology.cataract/01-referral.json", "ophthalmology.cataract/02-acceptance.json",
        "ophthalmology.cataract/03-care-plan.json",
    ]

    /// The book the older store kept after `steps`, built by the normaliser as it was kept then, and
    /// written as that store wrote it (the schema of migration 10).
    static func olderRows(_ normaliser: Normaliser) throws -> [String] {
        var book = EpisodeBook()
        for step in Self.steps {
            let resources = try SampleMessages.writes(step).compactMap(\.resource)
            _ = normaliser.ingest(EpisodeLedger.collection(resources), sender: Self.sender, into: &book)
        }
        func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
        var statements: [String] = []
        for (key, held) in book.resources {
            statements.append(
                "INSERT INTO episode_resource (key, held, arrival) VALUES ('\(key)', X'\(hex(try EpisodeJSON.encode(held)))', \(held.arrival))"
            )
        }
        for episode in book.sortedEpisodes {
            statements.append(
                """
                INSERT INTO episode (id, patient_key, service_line, status, document, updated_at)
                VALUES ('\(episode.id)', '\(episode.patient.key)', '\(episode.serviceLine)', '\(episode.status.rawValue)',
                    X'\(hex(try EpisodeJSON.encode(episode)))', 1000)
                """
            )
            for reference in Set(episode.memberReferences).sorted() {
                statements.append(
                    """
                    INSERT INTO episode_member (episode_id, reference, owner)
                    VALUES ('\(episode.id)', '\(reference)', '\(Self.sender)')
                    """
                )
            }
            for event in episode.timeline {
                statements.append(
                    """
                    INSERT INTO episode_event (episode_id, number, kind, payload, recorded_at)
                    VALUES ('\(episode.id)', \(event.number), '\(event.kind.rawValue)', X'\(hex(try EpisodeJSON.encode(event)))', 1000)
                    """
                )
            }
        }
        statements.append(
            "INSERT OR REPLACE INTO episode_book (id, arrivals, evaluated_at) VALUES (1, \(book.arrivals), NULL)"
        )
        return statements
    }

    @Test(arguments: Backend.allCases)
    func anOlderStoreOpensInPartitionsAndItsTimelinesCarryOn(_ backend: Backend) async throws {
        let normaliser = try SampleMessages.normaliser()
        let rows = try Self.olderRows(normaliser)
        try await withTestDatabase(backend) { database in
            try await Self.writeOlderStore(rows, at: database)
            try await withRunningStore(on: database, normaliser: normaliser) { store in
                #expect(try await PartitionTests.count("partition", in: store) == 1)
                let tables = try await RawSQL.rows(
                    backend == .sqlite
                        ? "SELECT name FROM sqlite_master WHERE name IN ('episode_resource', 'episode_book')"
                        : "SELECT CAST(to_regclass('episode_resource') AS TEXT)",
                    in: store
                )
                #expect(tables.allSatisfy { $0.allSatisfy { $0 == nil } }, "\(tables)")
                let before = try #require(try await store.episodes(EpisodeQuery()).first)
                let count = try Self.timeline(before).count
                #expect(count > 3)
                // The older gateway's episode was given its measure facts at start.
                let facts = try await store.measureFacts(serviceLine: nil, afterID: "", limit: 10)
                #expect(facts.map(\.episodeID) == [before.id])
                #expect(
                    facts.first?.facts
                        == MeasureFacts(try JSONDecoder().decode(Episode.self, from: Data(before.document)))
                )
                let unfilled = try await RawSQL.rows(
                    "SELECT CAST(count(*) AS TEXT) FROM episode WHERE measure IS NULL",
                    in: store
                )
                #expect(unfilled == [["0"]])
                // The members moved onto the episode row still find the episode by the resources it holds.
                let document = try #require(
                    try JSONSerialization.jsonObject(with: Data(before.document)) as? [String: Any]
                )
                let source = try #require((document["sources"] as? [String])?.first)
                #expect(try await store.episodes(holding: source).map(\.id) == [before.id])
                #expect(try await store.episodes(EpisodeQuery(sender: Self.sender)).map(\.id) == [before.id])
                #expect(try await store.episodes(EpisodeQuery(sender: "someone-else")).isEmpty)

                var message = Fixture.message(try SampleMessages.writes("ophthalmology.cataract/04-handoff.json"))
                message.received.sender = Self.sender
                _ = try await store.ingest(message)
                let after = try #require(try await store.episode(id: before.id))
                let numbers = try Self.timeline(after).compactMap { $0["number"] as? Int }
                #expect(numbers.count > count && numbers == Array(1...numbers.count))
                #expect(after.status == "handed-off")
            }
        }
    }

    static func timeline(_ record: EpisodeRecord) throws -> [[String: Any]] {
        let document = try JSONSerialization.jsonObject(with: Data(record.document)) as? [String: Any]
        return document?["timeline"] as? [[String: Any]] ?? []
    }

    /// The database at the schema of SQLite's migration 10 (PostgreSQL's 5), holding `rows`.
    static func writeOlderStore(_ rows: [String], at database: TestDatabase) async throws {
        switch database.url {
        case .sqlite(let location):
            try location.createDirectory()
            var connection = try SQLiteConnection(path: location.path, readOnly: false)
            _ = try connection.migrate(Array(SQLiteMigration.all.prefix { $0.version <= 10 }), now: 1)
            for statement in rows { try connection.execute(statement) }
        case .postgres(let endpoint):
            try await PostgresStore.withSession(at: endpoint, logger: Backend.logger) { (session) throws(StoreError) in
                _ = try await session.migrate(Array(PostgresMigration.all.prefix { $0.version <= 5 }), now: 1)
                // PostgreSQL's migration 1 made the book's row already; its arrivals counter went unused.
                for statement in rows where !statement.hasPrefix("INSERT OR REPLACE INTO episode_book") {
                    try await session.execute(statement.replacingOccurrences(of: "X'", with: "'\\x"))
                }
            }
        }
    }
}
