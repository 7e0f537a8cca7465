import Foundation
import Testing

/// What operators watch, through the real binaries: the Prometheus metrics per partner moving when a
/// partner fails, `GET /deliveries`, the delivery attempts in the audit trail, and a configured partner's
/// subscription answering `$status`.
@Suite(.serialized) struct ObservabilityEndToEndTests {
    typealias S = DeliveryScenario
    static let token = "eyecare-token"
    static let tokenHash = "fbd9ebc27eca634fc80a42ef8be812b826186408c29d3cd6fb5ad4cb2e824904"

    /// The value of the first sample of `metric` whose labels include every one of `labels`.
    static func sample(_ text: String, _ metric: String, _ labels: [String]) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(metric + "{") {
            guard labels.allSatisfy({ line.contains($0) }), let value = line.split(separator: " ").last else {
                continue
            }
            return Double(value)
        }
        return nil
    }

    @Test func theMetricsMoveWhenAPartnerFails() async throws {
        let flaky = try SinkProcess(["--secret", S.secret, "--fail", "503,repeat"])
        let strict = try SinkProcess(["--secret", S.secret, "--fail", "400,repeat"])
        defer {
            _ = flaky.stop()
            _ = strict.stop()
        }
        var refusing = S.partner("strict", strict.url)
        refusing["tokenHash"] = Self.tokenHash
        let server = try await S.gateway([S.partner("flaky", flaky.url), refusing])
        defer { server.stop() }
        _ = try await S.post(server.baseURL, S.referral("OBS-1", patient: "P-OBS"))

        var text = ""
        let flakyLabels = [#"partner="flaky""#, #"subscription="flaky""#]
        let strictLabels = [#"partner="strict""#, #"subscription="strict""#]
        for _ in 0..<100 {
            text = String(
                decoding: try await GatewayClient.send("GET", server.baseURL.appendingPathComponent("metrics")).body,
                as: UTF8.self
            )
            let retried = Self.sample(text, "tandem_deliveries_total", flakyLabels + [#"outcome="retry""#]) ?? 0
            let dead = Self.sample(text, "tandem_outbox_dead_letters", strictLabels) ?? 0
            if retried >= 2 && dead == 2 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        // The partner answering 503 is retried: its rows wait, the oldest due a while.
        #expect(
            (Self.sample(text, "tandem_deliveries_total", flakyLabels + [#"outcome="retry""#]) ?? 0) >= 2,
            "\(text)"
        )
        #expect(Self.sample(text, "tandem_outbox_depth", flakyLabels) == 2, "the referral's two events wait")
        #expect(Self.sample(text, "tandem_outbox_oldest_due_seconds", flakyLabels) != nil)
        #expect((Self.sample(text, "tandem_delivery_attempt_duration_count", [#"partner="flaky""#]) ?? 0) >= 2)
        // The partner answering 400 dead-letters both at once.
        #expect(Self.sample(text, "tandem_deliveries_total", strictLabels + [#"outcome="dead_letter""#]) == 2)
        #expect(Self.sample(text, "tandem_outbox_dead_letters", strictLabels) == 2)
        #expect(Self.sample(text, "tandem_outbox_depth", strictLabels) == 0)

        // Operators see the same in GET /deliveries and the audit trail; nobody else does.
        var list = URLComponents(
            url: server.baseURL.appendingPathComponent("deliveries"),
            resolvingAgainstBaseURL: false
        )!
        list.queryItems = [URLQueryItem(name: "partner", value: "strict"), URLQueryItem(name: "state", value: "dead")]
        let dead = try await GatewayClient.send("GET", list.url!, token: GatewayClient.operatorToken)
        #expect(dead.status == 200)
        let rows =
            (try JSONSerialization.jsonObject(with: dead.body) as? [String: Any])?["deliveries"] as? [[String: Any]]
            ?? []
        #expect(rows.count == 2)
        #expect(
            rows.allSatisfy {
                $0["state"] as? String == "dead" && ($0["lastError"] as? String)?.contains("HTTP 400") == true
            },
            "\(rows)"
        )
        let row = try #require(rows.first?["row"] as? Int)
        let shown = try await GatewayClient.send(
            "GET",
            server.baseURL.appendingPathComponent("deliveries/\(row)"),
            token: GatewayClient.operatorToken
        )
        let detail = try JSONSerialization.jsonObject(with: shown.body) as? [String: Any] ?? [:]
        #expect((detail["attempts"] as? [[String: Any]])?.first?["status"] as? Int == 400)
        #expect(try await GatewayClient.send("GET", list.url!).status == 403, "a sender")

        var audit = URLComponents(
            url: server.baseURL.appendingPathComponent("fhir/AuditEvent"),
            resolvingAgainstBaseURL: false
        )!
        audit.queryItems = [URLQueryItem(name: "type", value: "110106"), URLQueryItem(name: "agent", value: "strict")]
        let attempts = try await GatewayClient.send("GET", audit.url!, token: GatewayClient.operatorToken)
        let bundle = try JSONSerialization.jsonObject(with: attempts.body) as? [String: Any] ?? [:]
        #expect(bundle["total"] as? Int == 2, "\(bundle)")

        // The configured partner's subscription answers $status to the partner: two events so far.
        let status = try await GatewayClient.send(
            "GET",
            server.baseURL.appendingPathComponent("fhir/Subscription/strict/$status"),
            token: Self.token
        )
        let statusBundle = try JSONSerialization.jsonObject(with: status.body) as? [String: Any] ?? [:]
        let parameters =
            ((statusBundle["entry"] as? [[String: Any]])?.first?["resource"] as? [String: Any])?["parameter"]
            as? [[String: Any]] ?? []
        #expect(
            parameters.first { $0["name"] as? String == "events-since-subscription-start" }?["valueString"] as? String
                == "2"
        )
        let read = try await GatewayClient.send(
            "GET",
            server.baseURL.appendingPathComponent("fhir/Subscription/strict"),
            token: Self.token
        )
        #expect(read.status == 200)
        let delete = try await GatewayClient.send(
            "DELETE",
            server.baseURL.appendingPathComponent("fhir/Subscription/strict"),
            token: Self.token
        )
        #expect(delete.status == 403, "the configuration owns it")
    }
}
