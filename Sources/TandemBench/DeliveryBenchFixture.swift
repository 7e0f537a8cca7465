import CoManagement
import Delivery
import FHIRCore
import Foundation
import Logging
import Store
import Synchronization

/// The deliveries `tandem-bench delivery` drains: planned the way `tandem serve` plans them, by ingesting
/// new cataract ServiceRequests into a SQLite store whose outbox planning is the gateway's own
/// (``OutboxPlanner``).
///
/// The rows the planning returns are also kept in memory (``PlannedRows``), so the in-memory queue and the
/// raw libcurl floor send exactly the bodies the store holds.
enum DeliveryBenchFixture {
    /// The partner the gateway plans for: the cataract service line, signed with the sink's secret.
    static func partner(endpoint: URL) -> Partner {
        Partner(
            id: "bench",
            endpoint: endpoint,
            serviceLines: ["ophthalmology.cataract"],
            hmacSecret: BenchSink.secret,
            timeout: .seconds(10)
        )
    }

    /// The mappings under `path` (a `Mappings/` folder), as `tandem serve` loads them; a problem ends the
    /// benchmark with the loader's errors.
    static func mappings(at path: String) throws -> MappingSet {
        let base = URL(fileURLWithPath: path).standardizedFileURL
        let names = (FileManager.default.subpaths(atPath: base.path) ?? []).sorted()
        return try MappingSet.load(
            files: try names.compactMap { name in
                let url = base.appendingPathComponent(name)
                let isDirectory = try url.resourceValues(forKeys: [.isDirectoryKey]).isDirectory ?? false
                return isDirectory ? nil : MappingFile(path: name, bytes: try [UInt8](contentsOf: url))
            }
        )
    }

    /// A new cataract referral for `patient`, its business identifier carrying `marker`.
    static func serviceRequest(marker: String, patient: String) -> [UInt8] {
        Array(
            #"""
            {"resourceType":"ServiceRequest","identifier":[{"system":"urn:oid:2.16.840.1.113883.3.999",\#
            "value":"\#(marker)"}],"status":"active","intent":"order","code":{"coding":[{"system":\#
            "http://www.ama-assn.org/go/cpt","code":"66984"}]},"subject":{"type":"Patient","identifier":\#
            {"system":"http://hospital.example.org/fhir/sid/mrn","value":"\#(patient)"}},\#
            "authoredOn":"2026-03-02T09:00:00Z"}
            """#.utf8
        )
    }

    /// Opens a store in `directory` whose outbox planning is the gateway's, recording each planned row.
    /// Run its writer (``SQLiteStore/run()``) before ``fill(_:until:planned:)``.
    static func openStore(
        partner: Partner,
        mappings: MappingSet,
        directory: URL,
        logger: Logger
    ) async throws -> (SQLiteStore, PlannedRows) {
        let planned = PlannedRows()
        let recording = RecordingPlanner(
            planner: OutboxPlanner(
                partners: [partner],
                consentDefaultPermit: true,
                builder: NotificationBuilder(baseURL: "http://127.0.0.1/fhir")
            ),
            planned: planned
        )
        let store = try await SQLiteStore.open(
            at: try StoreLocation(url: "sqlite:" + directory.appendingPathComponent("bench.sqlite").path),
            normaliser: Normaliser(mappings: mappings),
            outboxPlanning: recording,
            logger: logger
        )
        return (store, planned)
    }

    /// Ingests referrals, a new patient each, until at least `count` deliveries are planned; returns them.
    static func fill(_ store: SQLiteStore, until count: Int, planned: PlannedRows) async throws -> [ClaimedDelivery] {
        var next = 0
        while planned.count < count {
            // 64 messages at a time, so the writer commits them in groups as under real load.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in next..<(next + 64) {
                    group.addTask { _ = try await store.ingest(Self.message(index)) }
                }
                try await group.waitForAll()
            }
            next += 64
        }
        return planned.all
    }

    /// One create of a new referral, as the gateway's create route builds it.
    static func message(_ index: Int) throws -> IngestMessage {
        let marker = "TANDEM-BENCH-\(index)"
        let bytes = Self.serviceRequest(marker: marker, patient: "BENCH-P-\(index)")
        let resource = try FHIRJSON.read(bytes).root
        let key = "urn:oid:2.16.840.1.113883.3.999|\(marker)"
        return IngestMessage(
            received: ReceivedMessage(
                body: bytes,
                contentType: "application/fhir+json",
                sender: "demo-hospital",
                correlationID: UUID().uuidString,
                receivedAt: Date(),
                interaction: "create"
            ),
            writes: [
                ResourceWrite(
                    type: "ServiceRequest",
                    mode: .create(proposedID: UUID().uuidString.lowercased(), ifNoneExist: nil),
                    content: bytes,
                    identifierKey: key,
                    identifiers: [key],
                    resource: resource
                )
            ]
        )
    }
}

/// The gateway's planning, recording each planned row in ``PlannedRows``.
struct RecordingPlanner: OutboxPlanning {
    let planner: OutboxPlanner
    let planned: PlannedRows

    func plan(_ input: OutboxPlanningInput) -> OutboxPlan {
        let plan = self.planner.plan(input)
        self.planned.append(plan.deliveries, episode: input.change.episode, plannedAt: input.plannedAt)
        return plan
    }
}

/// The rows the recording planning saw, as the forwarder would claim them.
final class PlannedRows: Sendable {
    private let rows = Mutex<[ClaimedDelivery]>([])

    var count: Int { self.rows.withLock { $0.count } }
    var all: [ClaimedDelivery] { self.rows.withLock { $0 } }

    func append(_ planned: [PlannedDelivery], episode: Episode, plannedAt: Date) {
        let claimed = planned.map { delivery in
            ClaimedDelivery(
                entry: OutboxEntry(delivery: delivery, createdAt: plannedAt),
                parties: episode.parties,
                lease: OutboxLease(id: 0, token: "")
            )
        }
        self.rows.withLock { $0 += claimed }
    }
}

/// A ``DeliveryQueue`` in memory with the outbox's contract: a stream is claimable only while none of
/// its rows is leased, and is handed out as a run of its first rows. It measures the forwarder without
/// the store.
final class MemoryDeliveryQueue: DeliveryQueue {
    private struct Stream {
        var rows: [ClaimedDelivery] = []
        var leased = 0
    }

    private struct State {
        var streams: [String: Stream] = [:]
        /// Streams with rows and none leased, oldest first (a queue: `ready[readyHead...]`).
        var ready: [String] = []
        var readyHead = 0

        /// Counts `count` leases of a stream as ended; with none left it is claimable again.
        mutating func endLeases(_ count: Int, of key: String) {
            self.streams[key]?.leased -= count
            if let stream = self.streams[key], stream.leased == 0, !stream.rows.isEmpty { self.ready.append(key) }
        }
    }

    private let state: Mutex<State>

    init(_ deliveries: [ClaimedDelivery]) {
        var state = State()
        for delivery in deliveries {
            let key = Self.key(delivery)
            if state.streams[key] == nil { state.ready.append(key) }
            state.streams[key, default: Stream()].rows.append(delivery)
        }
        self.state = Mutex(state)
    }

    func claimDue(limit: Int, run: Int, now: Date, lease: Duration) async throws -> [ClaimedDelivery] {
        self.state.withLock { state in
            var claimed: [ClaimedDelivery] = []
            var streams = 0
            while streams < limit, state.readyHead < state.ready.count {
                let key = state.ready[state.readyHead]
                state.readyHead += 1
                guard let rows = state.streams[key]?.rows.prefix(max(1, run)), !rows.isEmpty else { continue }
                state.streams[key]?.leased = rows.count
                claimed += rows.map { row in
                    var row = row
                    row.lease = OutboxLease(id: 0, token: key)
                    return row
                }
                streams += 1
            }
            return claimed
        }
    }

    func release(_ claimed: [ClaimedDelivery]) async throws {
        self.state.withLock { state in
            for row in claimed { state.endLeases(1, of: row.lease.token) }
        }
    }

    func complete(_ claimed: ClaimedDelivery, outcome: DeliveryOutcome) async throws {
        self.state.withLock { state in
            let key = claimed.lease.token
            // A retry leaves the row first in its stream; the benchmark's sink never fails.
            if case .retry = outcome.action {
            } else {
                state.streams[key]?.rows.removeAll { $0.entry.delivery.id == claimed.entry.delivery.id }
            }
            state.endLeases(1, of: key)
        }
    }

    private static func key(_ delivery: ClaimedDelivery) -> String {
        "\(delivery.entry.delivery.partnerID)\u{0}\(delivery.entry.delivery.episodeID)"
    }
}
