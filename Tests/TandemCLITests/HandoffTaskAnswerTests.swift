import CoManagement
import FHIRCore
import Foundation
import Testing

@testable import tandem

/// Issue 22, automated hand-off tasks: Tandem asks the receiving party of the cardiology scenario's
/// handoff with a Task of its own; the partner that represents it answers at the Task's gateway id with
/// its own token, changing only status and businessStatus, and the answer closes the hand-off in the
/// episode. Anything else it changes, and another partner answering, are refused.
/// The Task reaches the owner's side only; an unanswered one escalates to the requester's side.
@Suite(.serialized) struct HandoffTaskAnswerTests {
    typealias S = DeliveryScenario

    static let heartAssociates = "http://regional-hie.example.org/fhir/sid/organization|ORG-20871"
    static let hospital = "http://regional-hie.example.org/fhir/sid/organization|ORG-20455"

    static func partner(_ id: String, _ sink: SinkProcess, token: String, represents: String) -> [String: Any] {
        var partner = SenderIdentityTests.partner(
            id,
            sink.url.absoluteString,
            token: token,
            serviceLines: [],
            represents: [represents]
        )
        partner["hmacSecret"] = S.secret
        partner["retry"] = ["baseBackoff": "100ms", "maximumBackoff": "500ms", "maximumAge": "5m"]
        return partner
    }

    /// A configuration in a new directory with two partners, each with a sink: the heart associates (the
    /// handoff's receiving party) and the hospital (the handing party).
    static func gateway() throws -> (URL, URL, SinkProcess, SinkProcess) {
        let ownerSink = try SinkProcess(["--secret", S.secret])
        let requesterSink = try SinkProcess(["--secret", S.secret])
        let directory = try ServerProcess.temporaryDirectory()
        let config = try ServerProcess.writeConfiguration(
            [
                "partners": [
                    Self.partner("heart-associates", ownerSink, token: "heart-token", represents: Self.heartAssociates),
                    Self.partner("hospital", requesterSink, token: "hospital-token", represents: Self.hospital),
                ],
                "delivery": ["pollInterval": "50ms"],
            ],
            in: directory
        )
        return (directory, config, ownerSink, requesterSink)
    }

    static func read(_ server: ServerProcess, _ path: String, token: String) async throws -> [String: Any] {
        let answer = try await GatewayClient.send("GET", server.baseURL.appendingPathComponent(path), token: token)
        #expect(answer.status == 200, "\(path): \(String(decoding: answer.body, as: UTF8.self))")
        return try #require(try JSONSerialization.jsonObject(with: answer.body) as? [String: Any])
    }

    static func put(
        _ server: ServerProcess,
        _ task: [String: Any],
        id: String,
        token: String
    ) async throws -> (status: Int, body: String) {
        let answer = try await GatewayClient.send(
            "PUT",
            server.baseURL.appendingPathComponent("fhir/Task/\(id)"),
            body: try JSONSerialization.data(withJSONObject: task),
            token: token
        )
        return (answer.status, String(decoding: answer.body, as: UTF8.self))
    }

    @Test(arguments: LiveBackend.allCases)
    func aPartnerAcceptingTandemsTaskClosesTheHandoff(backend: LiveBackend) async throws {
        let scenario = try #require(GoldenScenario.all.first { $0.folder == "cardiology.service-line" })
        let (directory, config, ownerSink, requesterSink) = try Self.gateway()
        try await backend.withServer(config: config, in: directory) { server in
            for step in scenario.steps where step.file < "05" {
                try await TimerScenarioTests.post(
                    GoldenScenario(
                        folder: scenario.folder,
                        sender: scenario.sender,
                        evaluateAt: scenario.evaluateAt,
                        steps: [step]
                    ),
                    to: server
                )
            }
            let golden = try ServeScenarioTests.golden(scenario, "04-handoff.episode.json")
            let episodeID = try #require(golden.first?.id)
            let episode = try #require(try await ServeScenarioTests.episodes(server, ids: [episodeID]).first)
            let handoff = try #require(episode.tasks.first { $0.kind == .handoff })
            #expect(handoff.owner == Self.heartAssociates)
            #expect(handoff.dueBy == "2026-05-09T00:00:00-04:00")
            let reference = try #require(handoff.tandemTask)
            #expect(handoff.task == reference)
            let id = String(reference.dropFirst("Task/".count))

            // The owner reads Tandem's Task: BSeR's shape, due at the handoff's deadline.
            var task = try await Self.read(server, "fhir/Task/\(id)", token: "heart-token")
            #expect(task["status"] as? String == "requested")
            #expect((task["owner"] as? [String: Any])?["display"] as? String == "Cobalt Ridge Heart Associates")
            #expect(
                ((task["restriction"] as? [String: Any])?["period"] as? [String: Any])?["end"] as? String
                    == "2026-05-09T00:00:00-04:00"
            )

            // Changing anything but status, businessStatus and output is refused, naming the element.
            var taken = task
            taken["owner"] = ["display": "Someone else"]
            let refused = try await Self.put(server, taken, id: id, token: "heart-token")
            #expect(refused.status == 422)
            #expect(refused.body.contains("Task.owner"))
            // The requester's partner is not the owner. (A sender's PUT of `Task/tt-…` names a Task of its
            // own, as every id a sender uses does: it cannot reach Tandem's.)
            var accepted = task
            accepted["status"] = "accepted"
            accepted["businessStatus"] = [
                "coding": [
                    [
                        "system": HandoffTaskResources.businessStatusSystem, "code": "3.0",
                        "display": "Service Request Accepted",
                    ]
                ]
            ]
            #expect(try await Self.put(server, accepted, id: id, token: "hospital-token").status == 403)

            // The owner accepts, at the clock's time, two days after the handoff took effect.
            try server.setClock("2026-05-07T10:00:00Z")
            try await Task.sleep(for: .milliseconds(300))
            let answer = try await Self.put(server, accepted, id: id, token: "heart-token")
            #expect(answer.status == 200, "\(answer.body)")
            task = try await Self.read(server, "fhir/Task/\(id)", token: "heart-token")
            #expect(task["status"] as? String == "accepted")
            #expect(task["lastModified"] as? String == "2026-05-07T10:00:00Z")
            #expect((task["meta"] as? [String: Any])?["versionId"] as? String == "2")

            let closed = try #require(try await ServeScenarioTests.episodes(server, ids: [episodeID]).first)
            let acknowledged = try #require(closed.handoffs.first?.acknowledgements.first)
            #expect(acknowledged.by == Self.heartAssociates)
            #expect(acknowledged.at == "2026-05-07T10:00:00Z")
            #expect(closed.timeline.last?.kind == .handoffAcknowledged)
            #expect(closed.tasks.first { $0.kind == .handoff }?.answeredAt == "2026-05-07T10:00:00Z")

            // Audited: the answer as the partner's access, the version as Tandem's write.
            let audit = try await GatewayClient.send(
                "GET",
                server.baseURL.appendingPathComponent("fhir/AuditEvent"),
                token: GatewayClient.operatorToken
            )
            let events = try #require(try JSONSerialization.jsonObject(with: audit.body) as? [String: Any])
            let texts = (events["entry"] as? [[String: Any]] ?? []).compactMap { entry in
                (try? JSONSerialization.data(withJSONObject: entry["resource"] ?? [:])).map {
                    String(decoding: $0, as: UTF8.self)
                }
            }
            #expect(texts.contains { $0.contains("heart-associates") && $0.contains("Task\\/\(id)") })
            #expect(texts.contains { $0.contains("\"tandem\"") && $0.contains("Task\\/\(id)\\/_history\\/2") })

            // Past the deadline nothing escalates: the hand-off was answered.
            try server.setClock(scenario.evaluateAt)
            let evaluated = try await TimerScenarioTests.evaluated(server, ids: [episodeID], at: scenario.evaluateAt)
            #expect(!(evaluated.first?.timeline.contains { $0.kind == .escalation } ?? true))

            // The acknowledgement time is measured: 2026-05-06 (00:00 UTC) to 2026-05-07T10:00Z, 34 hours.
            let measures = try await GatewayClient.send(
                "GET",
                server.baseURL.appendingPathComponent("measures").appending(queryItems: [
                    URLQueryItem(name: "serviceLine", value: scenario.folder)
                ]),
                accept: "application/json",
                token: GatewayClient.operatorToken
            )
            let rows =
                (try JSONSerialization.jsonObject(with: measures.body) as? [String: Any])?["measures"]
                as? [[String: Any]]
            let all = rows?.first { $0["partner"] == nil }
            #expect((all?["handoffAcknowledgement"] as? [String: Any])?["p50"] as? Double == 34)

            // The owner's side heard of Tandem's Task; the requester's side did not.
            let ownerHeard = ownerSink.stop(timeout: .seconds(20)) { lines in
                lines.compactMap(S.SinkLine.init).contains { $0.episode == episodeID }
            }
            let requesterHeard = requesterSink.stop()
            let taskRequested = closed.timeline.filter { $0.kind == .taskRequested }
            #expect(taskRequested.count == 2)
            #expect(taskRequested.allSatisfy { $0.audience == [Self.heartAssociates] })
            #expect(!ownerHeard.isEmpty)
            #expect(!requesterHeard.isEmpty)
        }
    }

    @Test func anUnansweredHandoffTaskEscalatesToTheRequestersSideOnly() async throws {
        let scenario = try #require(GoldenScenario.all.first { $0.folder == "cardiology.service-line" })
        let (directory, config, ownerSink, requesterSink) = try Self.gateway()
        let server = try await ServerProcess.start(in: directory, config: config)
        defer { server.stop() }
        try await TimerScenarioTests.post(scenario, to: server)
        try server.setClock(scenario.evaluateAt)
        let golden = try ServeScenarioTests.golden(scenario, "evaluated.episode.json")
        let episode = try #require(
            try await TimerScenarioTests.evaluated(server, ids: golden.map(\.id), at: scenario.evaluateAt).first
        )
        let escalation = try #require(episode.timeline.first { $0.kind == .escalation })
        #expect(escalation.audience == [Self.hospital])
        // Each partner's stream: the requester's includes the escalation, the owner's does not.
        func events(_ sink: SinkProcess, count: Int) -> [Int] {
            sink.stop(timeout: .seconds(20)) { lines in
                lines.compactMap(S.SinkLine.init).filter { $0.episode == episode.id }.count >= count
            }.compactMap(S.SinkLine.init).filter { $0.episode == episode.id && $0.accepted }.map(\.event)
        }
        let forHospital = episode.timeline.filter { $0.audience == nil || $0.audience == [Self.hospital] }
        let forOwner = episode.timeline.filter { $0.audience == nil || $0.audience == [Self.heartAssociates] }
        #expect(events(requesterSink, count: forHospital.count) == Array(1...forHospital.count))
        #expect(events(ownerSink, count: forOwner.count) == Array(1...forOwner.count))
        #expect(forHospital.contains { $0.kind == .escalation } && !forOwner.contains { $0.kind == .escalation })
    }
}
