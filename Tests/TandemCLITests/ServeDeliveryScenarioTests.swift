import Foundation
import Testing

/// Issue 5's end-to-end delivery cases through the real binaries: `tandem serve` plans into its outbox
/// and its forwarder delivers to `tandem sink` processes misbehaving on a schedule.
@Suite(.serialized) struct ServeDeliveryScenarioTests {
    typealias S = DeliveryScenario

    /// Lines about arrivals (the sink's first line, where it listens, is already consumed).
    static func arrivals(_ lines: [String]) -> [S.SinkLine] { lines.compactMap(S.SinkLine.init) }

    @Test func serverErrorsAreRetriedUntilTheyStop() async throws {
        let sink = try SinkProcess(["--secret", S.secret, "--fail", "500x2"])
        let server = try await S.gateway([S.partner("eye", sink.url)])
        defer { server.stop() }
        _ = try await S.post(server.baseURL, S.referral("E2E-500", patient: "P-500"))
        let lines = Self.arrivals(sink.stop(afterLines: 4, timeout: .seconds(20)))
        #expect(lines.map(\.event) == [1, 1, 1, 2], "\(lines)")
        #expect(lines.prefix(2).allSatisfy { $0.verdict == "failed on purpose (500)" })
        #expect(lines.suffix(2).allSatisfy { $0.verdict.hasPrefix("in-order (signature ok") })
        #expect(Set(lines.filter { $0.event == 1 }.map(\.delivery)).count == 1, "every retry keeps its delivery id")
    }

    @Test func aRejectionIsDeadLetteredAtOnceAndTheStreamMovesOn() async throws {
        let sink = try SinkProcess(["--secret", S.secret, "--fail", "400"])
        let server = try await S.gateway([S.partner("eye", sink.url)])
        defer { server.stop() }
        _ = try await S.post(server.baseURL, S.referral("E2E-400", patient: "P-400"))
        // Wait for a third line that must never come: event 1 is not tried again.
        let lines = Self.arrivals(sink.stop(afterLines: 3, timeout: .seconds(4)))
        #expect(lines.map(\.event) == [1, 2], "\(lines)")
        #expect(lines.first?.verdict == "failed on purpose (400)")
        // The partner sees number 1 missing; $events would give it back (it stays in the outbox, dead).
        #expect(lines.last?.verdict.hasPrefix("ahead (missing 1 so far)") == true, "the partner sees the gap: \(lines)")
    }

    @Test func aTimeoutIsRetriedAndTheLateOriginalArrivesAsADuplicate() async throws {
        let sink = try SinkProcess(["--secret", S.secret, "--fail", "delay=1500ms"])
        let server = try await S.gateway([S.partner("eye", sink.url, timeout: "400ms")])
        defer { server.stop() }
        _ = try await S.post(server.baseURL, S.referral("E2E-TIMEOUT", patient: "P-TIMEOUT"))
        let lines = Self.arrivals(sink.stop(afterLines: 3, timeout: .seconds(20)))
        // The retry lands first, then event 2, then the first attempt the gateway gave up on.
        #expect(lines.map(\.event) == [1, 2, 1], "\(lines)")
        #expect(lines.last?.verdict.hasPrefix("duplicate") == true)
        #expect(lines.first?.delivery == lines.last?.delivery, "the duplicate carries the same delivery id")
    }

    @Test func aPartnerDownForAWhileReceivesEverythingInOrderOnceBack() async throws {
        let port = try SinkProcess([]).stopAndKeepPort()
        let url = URL(string: "http://127.0.0.1:\(port)/notify")!
        let server = try await S.gateway([S.partner("eye", url)])
        defer { server.stop() }
        _ = try await S.post(server.baseURL, S.referral("E2E-DOWN", patient: "P-DOWN"))
        _ = try await S.post(server.baseURL, S.referral("E2E-DOWN", patient: "P-DOWN", status: "on-hold"))
        try await Task.sleep(for: .seconds(2))  // several attempts refused meanwhile
        let sink = try SinkProcess(["--secret", S.secret, "--port", "\(port)"])
        let lines = Self.arrivals(sink.stop(afterLines: 3, timeout: .seconds(20)))
        #expect(lines.map(\.event) == [1, 2, 3], "\(lines)")
        #expect(lines.allSatisfy { $0.verdict.hasPrefix("in-order (signature ok") })
    }

    @Test func aConsentDenialIsAuditedAndNothingIsSent() async throws {
        let sink = try SinkProcess(["--secret", S.secret])
        // No Consent on the episode and a default of deny: every delivery is refused at planning.
        let server = try await S.gateway([S.partner("eye", sink.url)], extra: ["consentDefaultPermit": false])
        defer { server.stop() }
        _ = try await S.post(server.baseURL, S.referral("E2E-CONSENT", patient: "P-CONSENT"))
        let audit = try await GatewayClient.send(
            "GET",
            server.baseURL.appendingPathComponent("fhir/AuditEvent"),
            token: GatewayClient.operatorToken
        )
        let text = String(decoding: audit.body, as: UTF8.self)
        #expect(text.contains("delivery-refused") && text.contains("partner eye"), "\(text.prefix(2000))")
        let lines = Self.arrivals(sink.stop(afterLines: 1, timeout: .seconds(2)))
        #expect(lines.isEmpty, "\(lines)")
    }

    @Test func aDeadPartnerAndAFailingOneDoNotHoldUpTheHealthyOne() async throws {
        let alive = try SinkProcess(["--secret", S.secret])
        let failing = try SinkProcess(["--secret", S.secret, "--fail", "503,repeat"])
        let deadPort = try SinkProcess([]).stopAndKeepPort()
        let server = try await S.gateway(
            [
                S.partner("dead", URL(string: "http://127.0.0.1:\(deadPort)/notify")!),
                S.partner("failing", failing.url), S.partner("alive", alive.url),
            ],
            // Few slots, so a forwarder that let failing partners hog them would starve `alive`.
            delivery: ["concurrency": 4, "pollInterval": "50ms"]
        )
        defer { server.stop() }
        // Ten episodes, each a referral and two status changes: four events apiece for every partner.
        let episodes = 10
        let base = server.baseURL
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<episodes {
                group.addTask {
                    for status in ["active", "on-hold", "active"] {
                        _ = try await S.post(
                            base,
                            S.referral("E2E-TWO-\(index)", patient: "P-TWO-\(index)", status: status)
                        )
                    }
                }
            }
            try await group.waitForAll()
        }
        let acknowledged = ContinuousClock.now
        let lines = Self.arrivals(alive.stop(afterLines: 4 * episodes, timeout: .seconds(30)))
        let waited = ContinuousClock.now - acknowledged
        let failures = Self.arrivals(failing.stop())
        #expect(lines.count == 4 * episodes, "\(lines.count) arrived: \(lines)")
        #expect(waited < .seconds(10), "the healthy partner waited \(waited) after the last acknowledgement")
        // Episodes overtake each other (ahead, filled); an episode's own events never do (late).
        #expect(
            lines.allSatisfy { !$0.verdict.hasPrefix("late") && !$0.verdict.hasPrefix("duplicate") },
            "\(lines)"
        )
        #expect(S.firstArrivals(lines).values.allSatisfy { $0 == $0.sorted() && $0.count == 4 })
        #expect(lines.map(\.event).sorted() == Array(1...(4 * episodes)))
        #expect(!failures.isEmpty && failures.allSatisfy { $0.verdict == "failed on purpose (503)" })
    }
}
