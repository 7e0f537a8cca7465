import CoManagement
import FHIRCore
import Foundation
import Store
import Testing

@testable import tandem

/// Issue 22, timers in `serve`: a scenario replayed to a live gateway whose clock is then moved past its
/// due dates records the overdue events the dry run records at the scenario's `evaluateAt`
/// (`evaluated.episode.json`), and its partners receive them; timers survive a restart and fire once;
/// two replicas fire each timer once.
@Suite(.serialized) struct TimerScenarioTests {
    typealias S = DeliveryScenario

    /// A gateway whose partner hears of every episode of `lines`, with quick polls.
    static func gateway(_ sink: SinkProcess, lines: [String], backend: LiveBackend, directory: URL) throws -> URL {
        var partner = S.partner("watcher", sink.url)
        partner["serviceLines"] = lines
        return try ServerProcess.writeConfiguration(
            ["partners": [partner], "delivery": ["pollInterval": "50ms"]],
            in: directory
        )
    }

    /// Posts a scenario's steps as its sender; each must succeed.
    static func post(_ scenario: GoldenScenario, to server: ServerProcess) async throws {
        let poster = GatewayPoster(
            base: server.baseURL.appendingPathComponent("fhir").absoluteString,
            token: "demo-token-\(scenario.sender)",
            timeout: .seconds(30)
        )
        for step in scenario.steps {
            var answer: GatewayPoster.Result?
            await poster.post([(step.file, try scenario.bytes(step.file, .json))]) { _ in
            } report: {
                answer = $2
            }
            #expect(answer?.succeeded == true, "\(scenario.folder)/\(step.file): \(String(describing: answer))")
        }
    }

    /// Waits until every episode of `ids` was evaluated at `time` (its timers fired), then returns them.
    static func evaluated(_ server: ServerProcess, ids: [String], at time: String) async throws -> [Episode] {
        let text = try #require(FHIRInstant(time)).fhirText
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            let episodes = try await ServeScenarioTests.episodes(server, ids: ids)
            if episodes.allSatisfy({ $0.measures.evaluatedAt == text }) || ContinuousClock.now > deadline {
                return episodes
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    @Test(arguments: LiveBackend.allCases)
    func movingTheClockPastTheDueDatesFiresTheGoldenEventsAndDeliversThem(backend: LiveBackend) async throws {
        for scenario in GoldenScenario.all {
            let sink = try SinkProcess(["--secret", S.secret])
            let directory = try ServerProcess.temporaryDirectory()
            let config = try Self.gateway(sink, lines: [scenario.folder], backend: backend, directory: directory)
            let lines = try await backend.withServer(config: config, in: directory) { server in
                try await Self.post(scenario, to: server)
                let golden = try ServeScenarioTests.golden(scenario, "evaluated.episode.json")
                let before = try await ServeScenarioTests.episodes(server, ids: golden.map(\.id))
                #expect(before.allSatisfy { $0.measures.evaluatedAt == nil }, "\(scenario.folder): a timer fired early")
                try server.setClock(scenario.evaluateAt)
                let live = try await Self.evaluated(server, ids: golden.map(\.id), at: scenario.evaluateAt)
                #expect(
                    ServeScenarioTests.masked(EpisodeDocument.encode(live))
                        == ServeScenarioTests.masked(EpisodeDocument.encode(golden)),
                    "\(backend): \(scenario.folder)/evaluated.episode.json differs from the live gateway's timers"
                )
                let overdue = live.flatMap(\.timeline).filter { [.activityOverdue, .reportOverdue].contains($0.kind) }
                #expect(!overdue.isEmpty, "\(scenario.folder): no overdue event")
                let total = live.flatMap(\.timeline).filter { $0.audience == nil }.count
                return sink.stop(timeout: .seconds(30)) { lines in
                    lines.compactMap(S.SinkLine.init).filter(\.accepted).count >= total
                }
            }
            // The partner heard of every event, the overdue ones included, each once and in order.
            let arrivals = lines.compactMap(S.SinkLine.init).filter(\.accepted)
            let golden = try ServeScenarioTests.golden(scenario, "evaluated.episode.json")
            for episode in golden {
                // A partner watching the whole service line hears of every event but those meant for one
                // side only (a hand-off Task for its owner, its escalation for its requester).
                let told = episode.timeline.filter { $0.audience == nil }.count
                let numbers = arrivals.filter { $0.episode == episode.id }.map(\.event)
                #expect(numbers == Array(1...told), "\(backend) \(scenario.folder): \(numbers)")
            }
        }
    }

    @Test func aClockInTheConfigurationIsRefusedWithoutTheFlagAndAnnouncedWithIt() async throws {
        let directory = try ServerProcess.temporaryDirectory()
        let config = try ServerProcess.writeConfiguration(["clock": ["at": "2026-04-20T12:00:00Z"]], in: directory)
        let port = try ServerProcess.freePort()
        let refused = try CLIRunner.run(
            ["serve", "--config", config.path],
            environment: ["TANDEM_LISTEN": "127.0.0.1:\(port)", "TANDEM_CONFIG": nil, "TANDEM_CLOCK_FILE": nil]
        )
        #expect(refused.status != 0)
        #expect(refused.standardError.contains("--allow-test-clock"), "\(refused.standardError)")
        // With the flag (as every test server runs), the gateway says loudly that its clock is not the system's.
        let server = try await ServerProcess.start(in: directory, config: config)
        #expect(server.logText.contains("TEST CLOCK"))
        #expect(server.stop() == 0)
    }

    @Test func aTimerDueWhileTheGatewayWasDownFiresOnceAfterTheRestart() async throws {
        let scenario = try #require(GoldenScenario.all.first { $0.folder == "ophthalmology.cataract" })
        let directory = try ServerProcess.temporaryDirectory()
        let golden = try ServeScenarioTests.golden(scenario, "evaluated.episode.json")
        // A failure part way must not leave a server running: each one is stopped on the way out too.
        let first = try await ServerProcess.start(in: directory)
        defer { first.stop() }
        try await Self.post(scenario, to: first)
        #expect(first.stop() == 0)
        // The clock moves while the gateway is down; the deadline kept in the store fires on the next run.
        let clock = ServerProcess.clockFile(in: directory)
        try Data(scenario.evaluateAt.utf8).write(to: clock, options: .atomic)
        let second = try await ServerProcess.start(in: directory)
        defer { second.stop() }
        let live = try await Self.evaluated(second, ids: golden.map(\.id), at: scenario.evaluateAt)
        #expect(
            ServeScenarioTests.masked(EpisodeDocument.encode(live))
                == ServeScenarioTests.masked(EpisodeDocument.encode(golden))
        )
        #expect(second.stop() == 0)
        // Another restart at the same time fires nothing again.
        let third = try await ServerProcess.start(in: directory)
        defer { third.stop() }
        try await Task.sleep(for: .seconds(1))
        let again = try await ServeScenarioTests.episodes(third, ids: golden.map(\.id))
        #expect(again.map(\.timeline) == live.map(\.timeline))
        #expect(again.flatMap(\.timeline).filter { $0.kind == .activityOverdue }.count == 1)
        #expect(third.stop() == 0)
        // `tandem measures` reads the same store: 22 h 44 min to acceptance, one activity overdue.
        let printed = try CLIRunner.run(
            [
                "measures", "--config",
                ServerProcess.repository.appendingPathComponent("Samples/config/tandem.json").path,
            ],
            environment: ["TANDEM_STORE_URL": "sqlite:\(directory.path)/data/tandem.sqlite", "TANDEM_CONFIG": nil]
        )
        #expect(printed.status == 0, "\(printed.standardError)")
        let row = printed.standardOutput.split(separator: "\n").first { $0.hasPrefix("ophthalmology.cataract") }
        #expect(row?.contains("22.7/22.7/22.7 (n=1)") == true, "\(printed.standardOutput)")
        #expect(row?.contains("1/0/0/0") == true, "\(printed.standardOutput)")
    }

    @Test func twoReplicasFireEachTimerOnce() async throws {
        try await LiveBackend.withDatabase { storeURL in try await Self.twoReplicas(storeURL: storeURL) }
    }

    /// Both replicas of one database run their timers when the clocks move; every deadline is recorded and
    /// delivered once.
    static func twoReplicas(storeURL: String) async throws {
        let sink = try SinkProcess(["--secret", S.secret])
        let directories = [try ServerProcess.temporaryDirectory(), try ServerProcess.temporaryDirectory()]
        let lines = GoldenScenario.all.map(\.folder)
        var replicas: [ServerProcess] = []
        for directory in directories {
            let config = try Self.gateway(sink, lines: lines, backend: .postgres, directory: directory)
            replicas.append(try await ServerProcess.start(in: directory, config: config, storeURL: storeURL))
        }
        defer { for replica in replicas { replica.stop() } }
        for scenario in GoldenScenario.all { try await Self.post(scenario, to: replicas[0]) }
        // Both clocks move past every scenario's evaluation time; both replicas' timers run.
        for replica in replicas { try replica.setClock("2026-06-01T00:00:00Z") }
        var ids: [String] = []
        for scenario in GoldenScenario.all {
            ids += try ServeScenarioTests.golden(scenario, "evaluated.episode.json").map(\.id)
        }
        let episodes = try await Self.evaluated(replicas[1], ids: ids, at: "2026-06-01T00:00:00Z")
        let total = episodes.flatMap(\.timeline).filter { $0.audience == nil }.count
        let arrived = sink.stop(timeout: .seconds(30)) { lines in
            lines.compactMap(S.SinkLine.init).filter(\.accepted).count >= total
        }.compactMap(S.SinkLine.init).filter(\.accepted)
        // Event numbers count per subscription (the configured partner's), across its episodes: each
        // once, and in order within each episode.
        #expect(arrived.map(\.event).sorted() == Array(1...max(1, total)))
        for episode in episodes {
            // Each deadline recorded once: no kind of overdue event twice for one item.
            let overdue = episode.timeline.filter { [.activityOverdue, .reportOverdue].contains($0.kind) }
            #expect(Set(overdue.map(\.summary)).count == overdue.count, "\(episode.id): \(overdue.map(\.summary))")
            #expect(!overdue.isEmpty)
            let told = episode.timeline.filter { $0.audience == nil }.count
            let numbers = arrived.filter { $0.episode == episode.id }.map(\.event)
            #expect(numbers.count == told && numbers == numbers.sorted(), "\(episode.id): \(numbers)")
        }
        try await Self.expectMeasures(replicas[0])
    }

    @Test func measuresAcrossTheShippedScenariosOnSQLite() async throws {
        let sink = try SinkProcess(["--secret", S.secret])
        let directory = try ServerProcess.temporaryDirectory()
        let config = try Self.gateway(
            sink,
            lines: GoldenScenario.all.map(\.folder),
            backend: .sqlite,
            directory: directory
        )
        try await LiveBackend.sqlite.withServer(config: config, in: directory) { server in
            var ids: [String] = []
            for scenario in GoldenScenario.all {
                try await Self.post(scenario, to: server)
                ids += try ServeScenarioTests.golden(scenario, "evaluated.episode.json").map(\.id)
            }
            try server.setClock("2026-06-01T00:00:00Z")
            _ = try await Self.evaluated(server, ids: ids, at: "2026-06-01T00:00:00Z")
            try await Self.expectMeasures(server)
        }
        _ = sink.stop()
    }

    /// The rows of `GET /measures` with `query`, read as an operator.
    static func measureRows(_ server: ServerProcess, query: [URLQueryItem] = []) async throws -> [[String: Any]] {
        let read = try await GatewayClient.send(
            "GET",
            server.baseURL.appendingPathComponent("measures").appending(queryItems: query),
            accept: "application/json",
            token: GatewayClient.operatorToken
        )
        #expect(read.status == 200)
        let object = try #require(try JSONSerialization.jsonObject(with: read.body) as? [String: Any])
        return try #require(object["measures"] as? [[String: Any]])
    }

    /// `GET /measures` after every scenario was evaluated on 1 June 2026, against figures worked out by
    /// hand (the per-scenario figures are in ``MeasureTableTests``): by then the hip fracture's
    /// thromboprophylaxis (due 22 February, in progress) is overdue too.
    static func expectMeasures(_ server: ServerProcess) async throws {
        let rows = try await Self.measureRows(server)
        let all = rows.filter { $0["partner"] == nil }
        #expect(all.compactMap { $0["serviceLine"] as? String } == GoldenScenario.all.map(\.folder).sorted())
        // Open overdue activities and reports; referral turnaround and hand-off acknowledgement in hours
        // (nil: no hand-off acknowledged); reports on time, late, still overdue.
        let expected:
            [String: (activities: Int, reports: Int, turnaround: Double, acknowledged: Double?, timely: [Int])] = [
                "behavioral-health.integrated": (1, 0, 28 + 35.0 / 60, nil, [1, 0, 0]),
                "cardiology.service-line": (1, 1, 100.0 / 60, nil, [0, 0, 1]),
                "endocrinology.diabetes": (1, 1, 43.7, nil, [0, 0, 1]),
                "ophthalmology.cataract": (1, 0, 22 + 44.0 / 60, 18 + 5.0 / 60, [1, 0, 0]),
                "orthopedics.hip-fracture": (2, 0, 1 + 35.0 / 60, 2.5, [1, 0, 0]),
            ]
        for row in all {
            let line = row["serviceLine"] as? String ?? ""
            let figures = try #require(expected[line])
            let overdue = row["openOverdue"] as? [String: Any]
            #expect(overdue?["activities"] as? Int == figures.activities, "\(line)")
            #expect(overdue?["reports"] as? Int == figures.reports, "\(line)")
            let turnaround = (row["referralTurnaround"] as? [String: Any])?["p50"] as? Double
            #expect(abs((turnaround ?? -1) - figures.turnaround) < 0.001, "\(line)")
            let acknowledged = (row["handoffAcknowledgement"] as? [String: Any])?["p50"] as? Double
            #expect(
                acknowledged.map { abs($0 - (figures.acknowledged ?? -1)) < 0.001 } ?? (figures.acknowledged == nil),
                "\(line)"
            )
            let timeliness = row["reportTimeliness"] as? [String: Any]
            #expect(["onTime", "late", "overdue"].map { timeliness?[$0] as? Int } == figures.timely, "\(line)")
            #expect((row["episodesByStatus"] as? [String: Int]) == ["handed-off": 1], "\(line)")
        }
        // Diabetes (9 February) and cataract (2 March) opened in February and March; a service line
        // narrows that to one.
        let period = [URLQueryItem(name: "from", value: "2026-02-01"), URLQueryItem(name: "to", value: "2026-04-01")]
        let opened = try await Self.measureRows(server, query: period).filter { $0["partner"] == nil }
        #expect(
            opened.compactMap { $0["serviceLine"] as? String } == ["endocrinology.diabetes", "ophthalmology.cataract"]
        )
        let one = try await Self.measureRows(
            server,
            query: period + [URLQueryItem(name: "serviceLine", value: "ophthalmology.cataract")]
        )
        #expect(Set(one.compactMap { $0["serviceLine"] as? String }) == ["ophthalmology.cataract"])
        #expect(one.allSatisfy { $0["episodes"] as? Int == 1 })
        #expect(rows.filter { $0["partner"] as? String == "watcher" }.count == 5)
        // A sender may not read them; the FHIR form is a Bundle of MeasureReports.
        let refused = try await GatewayClient.send(
            "GET",
            server.baseURL.appendingPathComponent("measures"),
            accept: "application/json"
        )
        #expect(refused.status == 403)
        let fhir = try await GatewayClient.send(
            "GET",
            server.baseURL.appendingPathComponent("measures").appending(queryItems: [
                URLQueryItem(name: "_format", value: "json")
            ]),
            token: GatewayClient.operatorToken
        )
        #expect(fhir.status == 200)
        let bundle = try #require(try JSONSerialization.jsonObject(with: fhir.body) as? [String: Any])
        let entries = bundle["entry"] as? [[String: Any]] ?? []
        #expect(entries.count == rows.count)
        #expect(
            entries.allSatisfy { ($0["resource"] as? [String: Any])?["resourceType"] as? String == "MeasureReport" }
        )
    }
}
