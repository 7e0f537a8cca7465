import FHIRCore
import Foundation
import Testing

@testable import tandem

/// A partner that only the FHIR API serves: it finds the topics in the CapabilityStatement, subscribes
/// over REST with its own token, gets its handshake, hears a replayed scenario through a real `tandem
/// sink` (the sink refusing one notification, which is dead-lettered), sees the gap, fills it with
/// `$events`, and searches what it was told of. On SQLite and PostgreSQL.
@Suite(.serialized) struct SubscriptionEndToEndTests {
    typealias S = DeliveryScenario
    static let token = "eyecare-token"
    static let tokenHash = "fbd9ebc27eca634fc80a42ef8be812b826186408c29d3cd6fb5ad4cb2e824904"
    static let trace = "4bf92f3577b34da6a3ce929d0e0e4736"

    static func config(in directory: URL) throws -> URL {
        // The partner has no endpoint of its own here: it delivers only where its Subscriptions say.
        let partner: [String: Any] = [
            "id": "eyecare", "tokenHash": Self.tokenHash, "serviceLines": ["ophthalmology.cataract"],
            "hmacSecret": S.secret, "timeout": "5s",
            "retry": ["baseBackoff": "100ms", "maximumBackoff": "500ms", "maximumAge": "5m"],
        ]
        return try ServerProcess.writeConfiguration(
            ["partners": [partner], "delivery": ["pollInterval": "50ms"]],
            in: directory
        )
    }

    static func json(_ response: (status: Int, headers: [AnyHashable: Any], body: Data)) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: response.body) as? [String: Any]) ?? [:]
    }

    /// The value of a SubscriptionStatus parameter.
    static func parameter(_ parameters: [String: Any], _ name: String) -> Any? {
        let all = parameters["parameter"] as? [[String: Any]] ?? []
        guard let found = all.first(where: { $0["name"] as? String == name }) else { return nil }
        return found.first { $0.key.hasPrefix("value") }?.value ?? found["part"]
    }

    @Test(arguments: LiveBackend.allCases)
    func aPartnerSubscribesHearsTheScenarioAndFillsAGapWithEvents(backend: LiveBackend) async throws {
        // The handshake and the first event pass; the second event is refused (dead-lettered at once).
        let sink = try SinkProcess(["--secret", S.secret, "--fail", "ok,ok,400"])
        let directory = try ServerProcess.temporaryDirectory()
        try await backend.withServer(config: try Self.config(in: directory), in: directory) { server in
            let fhir = server.baseURL.appendingPathComponent("fhir")
            let metadata = Self.json(try await GatewayClient.send("GET", fhir.appendingPathComponent("metadata")))
            let rest = (metadata["rest"] as? [[String: Any]])?.first
            let subscription = (rest?["resource"] as? [[String: Any]])?.first {
                $0["type"] as? String == "Subscription"
            }
            let topics = (subscription?["extension"] as? [[String: Any]] ?? []).compactMap {
                $0["valueCanonical"] as? String
            }
            let all = try #require(topics.first { $0.hasSuffix("/SubscriptionTopic/all") })

            let body = #"""
                {"resourceType":"Subscription","status":"requested","reason":"cataract co-management","criteria":"\#(all)",
                 "_criteria":{"extension":[{"url":"http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-filter-criteria","valueString":"service-line=ophthalmology.cataract"}]},
                 "channel":{"type":"rest-hook","endpoint":"\#(sink.url.absoluteString)","payload":"application/fhir+json",
                  "_payload":{"extension":[{"url":"http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-payload-content","valueCode":"id-only"}]}}}
                """#
            let created = try await GatewayClient.send(
                "POST",
                fhir.appendingPathComponent("Subscription"),
                body: Data(body.utf8),
                token: Self.token
            )
            #expect(created.status == 201, "\(String(decoding: created.body, as: UTF8.self))")
            let id = try #require(Self.json(created)["id"] as? String)
            let status = fhir.appendingPathComponent("Subscription/\(id)/$status")

            // The handshake makes it active.
            var state = ""
            for _ in 0..<100 where state != "active" {
                let bundle = Self.json(try await GatewayClient.send("GET", status, token: Self.token))
                let resource = (bundle["entry"] as? [[String: Any]])?.first?["resource"] as? [String: Any] ?? [:]
                state = Self.parameter(resource, "status") as? String ?? ""
                if state != "active" { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(state == "active")

            // The scenario: the referral with a trace of its own, then the rest as `tandem replay` posts it.
            let scenario = try #require(GoldenScenario.all.first { $0.folder.hasSuffix("ophthalmology.cataract") })
            let steps = scenario.steps
            let referral = try await GatewayClient.send(
                "POST",
                fhir,
                body: Data(try scenario.bytes(steps[0].file, .json)),
                token: "demo-token-\(scenario.sender)",
                extraHeaders: ["traceparent": "00-\(Self.trace)-00f067aa0ba902b7-01"]
            )
            #expect(referral.status == 200)
            let poster = GatewayPoster(
                base: fhir.absoluteString,
                token: "demo-token-\(scenario.sender)",
                timeout: .seconds(30)
            )
            for step in steps.dropFirst() {
                await poster.post([(step.file, try scenario.bytes(step.file, .json))]) { _ in
                } report: { _, _, _ in
                }
            }
            let listed = Self.json(
                try await GatewayClient.send(
                    "GET",
                    server.baseURL.appendingPathComponent("episodes"),
                    token: GatewayClient.operatorToken
                )
            )
            let episodes = listed["episodes"] as? [[String: Any]] ?? []
            // A subscription to a whole service line hears every event but those meant for named participants
            // only (a hand-off Task's owner, an escalation's requester).
            let events = episodes.reduce(0) { count, episode in
                count + ((episode["timeline"] as? [[String: Any]]) ?? []).filter { $0["audience"] == nil }.count
            }
            #expect(events > 3)
            // The handshake and every event arrive, but for the one refused.
            let lines = sink.stop(afterLines: events + 1, timeout: .seconds(30))
            #expect(lines.first?.contains("handshake (signature ok") == true, "\(lines)")
            let arrivals = lines.compactMap(S.SinkLine.init)
            #expect(arrivals.count == events, "\(lines)")
            let refused = try #require(arrivals.first { $0.verdict == "failed on purpose (400)" })
            #expect(
                arrivals.contains { $0.verdict.hasPrefix("ahead (missing \(refused.event) so far)") },
                "\(arrivals)"
            )
            #expect(arrivals.filter(\.accepted).map(\.event).sorted() == (1...events).filter { $0 != refused.event })
            // The referral's notifications continue its trace.
            #expect(arrivals.first { $0.event == 1 }?.verdict.hasSuffix("trace=\(Self.trace)") == true, "\(arrivals)")

            // $status counts every event; $events gives the refused one back.
            let counted = Self.json(try await GatewayClient.send("GET", status, token: Self.token))
            let parameters = (counted["entry"] as? [[String: Any]])?.first?["resource"] as? [String: Any] ?? [:]
            #expect(Self.parameter(parameters, "events-since-subscription-start") as? String == "\(events)")
            var query = URLComponents(
                url: fhir.appendingPathComponent("Subscription/\(id)/$events"),
                resolvingAgainstBaseURL: false
            )!
            query.queryItems = [
                URLQueryItem(name: "eventsSinceNumber", value: "\(refused.event)"),
                URLQueryItem(name: "eventsUntilNumber", value: "\(refused.event)"),
            ]
            let recovered = Self.json(try await GatewayClient.send("GET", query.url!, token: Self.token))
            #expect(recovered["type"] as? String == "history")
            let entries = recovered["entry"] as? [[String: Any]] ?? []
            let recoveredStatus = entries.first?["resource"] as? [String: Any] ?? [:]
            #expect(Self.parameter(recoveredStatus, "type") as? String == "query-event")
            let event = Self.parameter(recoveredStatus, "notification-event") as? [[String: Any]] ?? []
            #expect(
                event.first { $0["name"] as? String == "event-number" }?["valueString"] as? String == "\(refused.event)"
            )
            #expect(entries.count == 2, "the status and the id-only entry of the event's focus")

            // What it heard of, it can find: the referral, by the patient's identifier.
            var search = URLComponents(
                url: fhir.appendingPathComponent("ServiceRequest"),
                resolvingAgainstBaseURL: false
            )!
            search.queryItems = [URLQueryItem(name: "_include", value: "ServiceRequest:subject")]
            let found = Self.json(try await GatewayClient.send("GET", search.url!, token: Self.token))
            #expect(found["total"] as? Int == 1, "\(found)")
            let modes = (found["entry"] as? [[String: Any]] ?? []).compactMap {
                ($0["search"] as? [String: Any])?["mode"] as? String
            }
            #expect(modes == ["match", "include"])
        }
    }
}
