import Foundation
import Testing

/// `tandem replay --to`, `replay --dry-run` with partners, `tandem deliveries …` and `tandem redeliver`, run
/// as an integration engineer runs them: the built binary against a real `tandem serve` and `tandem sink`.
@Suite(.serialized) struct DeliveryAdministrationCLITests {
    static let cataract = ServerProcess.repository.appendingPathComponent("Samples/ophthalmology.cataract")
    static let token = "demo-token-lakeside-eye-surgery"

    /// A configuration with one partner for the cataract service line.
    static func configuration(in directory: URL, endpoint: String, extra: [String: Any] = [:]) throws -> URL {
        let partner: [String: Any] = [
            "id": "eyecare", "endpoint": endpoint, "serviceLines": ["ophthalmology.cataract"], "timeout": "5s",
            "retry": ["baseBackoff": "100ms", "maximumBackoff": "1s", "maximumAge": "1m"],
        ]
        return try ServerProcess.writeConfiguration(
            extra.merging(["partners": [partner]]) { $1 },
            in: directory,
            named: "tandem-\(UUID().uuidString.prefix(6)).json"
        )
    }

    @Test func replayPostsAScenarioInOrderAndEveryStepIsAccepted() async throws {
        let server = try await ServerProcess.start()
        defer { server.stop() }
        let base = server.baseURL.appendingPathComponent("fhir").absoluteString
        let result = try CLIRunner.run(["replay", Self.cataract.path, "--to", base, "--token", Self.token])
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        let steps = lines.filter { $0.contains(".json: ") }
        // Five steps, JSON twins only, in name order; Bundles to the base, resources PUT by id.
        #expect(steps.count == 5, "\(lines)")
        #expect(steps.first?.contains("01-referral.json: POST / 200") == true, "\(steps)")
        #expect(steps.dropFirst().first?.contains("02-acceptance.json: PUT Task/les-tsk-26-01182 20") == true)
        #expect(steps.allSatisfy { $0.hasSuffix(" 200") || $0.hasSuffix(" 201") }, "\(steps)")
        #expect(lines.last == "5 files: 5 succeeded, 0 failed")
        #expect(!result.standardOutput.contains("\r"), "no progress bar when the output is not a terminal")
    }

    @Test func aRefusedFileFailsTheReplayWithItsOperationOutcome() async throws {
        let server = try await ServerProcess.start()
        defer { server.stop() }
        let broken = server.directory.appendingPathComponent("99-broken.json")
        try Data(#"{"resourceType":"Patient","id":"p1","birthDate":"yesterday"}"#.utf8).write(to: broken)
        let good = Self.cataract.appendingPathComponent("01-referral.json").path
        let result = try CLIRunner.run(
            ["replay", good, broken.path, "--to", server.baseURL.appendingPathComponent("fhir").absoluteString],
            environment: ["TANDEM_TOKEN": "tandem-demo-token"]
        )
        #expect(result.status == 1)
        let failure = result.standardOutput.split(separator: "\n").first { $0.contains("99-broken.json") }
        #expect(failure?.contains("PUT Patient/p1 422 FAILED: error value") == true, "\(result.standardOutput)")
        #expect(failure?.contains("Patient.birthDate") == true, "\(result.standardOutput)")
        #expect(result.standardOutput.contains("2 files: 1 succeeded, 1 failed"))
    }

    @Test func aDryRunShowsThePlannedDeliveriesAndConsentRefusals() throws {
        let directory = try ServerProcess.temporaryDirectory()
        let permit = try Self.configuration(in: directory, endpoint: "http://127.0.0.1:9/notify")
        let mappings = ServerProcess.repository.appendingPathComponent("Mappings").path
        let planned = try CLIRunner.run(
            ["replay", "--dry-run", "--config", permit.path, "--mappings", mappings, Self.cataract.path]
        )
        #expect(planned.status == 0, "\(planned.standardError)")
        let deliveries = planned.standardOutput.split(separator: "\n").filter { $0.contains("deliver to eyecare") }
        #expect(
            deliveries.first?.contains("event 1 (timeline #1 episode-opened, topic episode)") == true,
            "\(deliveries)"
        )
        // Numbered 1, 2, 3 … for the partner across the whole scenario.
        #expect(deliveries.enumerated().allSatisfy { $1.contains(" event \($0 + 1) (") }, "\(deliveries)")

        let deny = try Self.configuration(
            in: directory,
            endpoint: "http://127.0.0.1:9/notify",
            extra: ["consentDefaultPermit": false]
        )
        let refused = try CLIRunner.run(
            ["replay", "--dry-run", "--config", deny.path, "--mappings", mappings, Self.cataract.path]
        )
        #expect(refused.status == 0)
        #expect(!refused.standardOutput.contains("deliver to eyecare"))
        #expect(refused.standardOutput.contains("consent refuses: partner eyecare"), "\(refused.standardOutput)")
    }

    @Test func deadLettersAreShownRetriedRequeuedAndRedeliveredToTheSink() async throws {
        // The first three requests are refused with 400 (dead-lettered at once), everything later accepted.
        let sink = try SinkProcess(["--fail", "400x3"])
        let directory = try ServerProcess.temporaryDirectory()
        let config = try Self.configuration(in: directory, endpoint: sink.url.absoluteString)
        let server = try await ServerProcess.start(in: directory, config: config)
        defer { server.stop() }
        let store: [String: String?] = [
            "TANDEM_STORE_URL": "sqlite:" + directory.appendingPathComponent("data/tandem.sqlite").path
        ]
        func tandem(_ arguments: [String]) throws -> CLIRunner.Result {
            try CLIRunner.run(arguments + ["--config", config.path], environment: store)
        }
        let referral = Self.cataract.appendingPathComponent("01-referral.json").path
        let base = server.baseURL.appendingPathComponent("fhir").absoluteString
        #expect(try CLIRunner.run(["replay", referral, "--to", base, "--token", Self.token]).status == 0)

        // The referral's four events (episode opened, referral created, two participants): the first three
        // refused, so three dead rows; the fourth delivered.
        let dead = try await Self.poll {
            try tandem(["deliveries", "list", "--state", "dead"])
        } until: {
            $0.standardOutput.split(separator: "\n").count == 4
        }
        let rows = dead.standardOutput.split(separator: "\n").dropFirst().map { String($0.prefix { $0 != " " }) }
        #expect(rows.count == 3, "\(dead.standardOutput)\(dead.standardError)\(server.logText)")
        let oldest = try #require(rows.last)
        let shown = try tandem(["deliveries", "show", oldest])
        #expect(shown.standardOutput.contains("state       dead"), "\(shown.standardOutput)")
        #expect(shown.standardOutput.contains("#1 "), "\(shown.standardOutput)")
        #expect(shown.standardOutput.contains("HTTP 400 in "), "\(shown.standardOutput)")

        let retried = try tandem(["deliveries", "retry", oldest])
        #expect(retried.status == 0, "\(retried.standardError)")
        #expect(retried.standardOutput.hasPrefix("due now: \(oldest) "))
        let requeued = try tandem(["deliveries", "requeue-dead", "--partner", "eyecare"])
        #expect(requeued.standardOutput.hasPrefix("requeued 2 dead deliveries"), "\(requeued.standardOutput)")
        let delivered = try await Self.poll {
            try tandem(["deliveries", "list", "--state", "delivered"])
        } until: {
            $0.standardOutput.split(separator: "\n").count == 5
        }
        #expect(delivered.standardOutput.split(separator: "\n").count == 5, "\(delivered.standardOutput)")
        #expect(try tandem(["deliveries", "retry", oldest]).standardError.contains("was delivered"))

        let redelivered = try tandem(["redeliver", "--partner", "eyecare"])
        #expect(
            redelivered.standardOutput.hasPrefix("queued 4 redeliveries for eyecare"),
            "\(redelivered.standardOutput)"
        )
        #expect(try tandem(["redeliver", "--partner", "nobody"]).standardError.contains("not in the configuration"))

        // Three refusals, four accepted (one at once, three after the retries), four redeliveries named as such.
        let lines = sink.stop(afterLines: 11, timeout: .seconds(20)).filter { $0.contains("event=") }
        let redeliveries = lines.filter { $0.contains("REDELIVERY of ") }
        #expect(redeliveries.count == 4, "\(lines)")
        #expect(lines.filter { $0.contains("failed on purpose (400)") }.count == 3, "\(lines)")
    }

    /// Runs `command` until `done` holds or ten seconds pass; returns the last result.
    static func poll(
        _ command: () throws -> CLIRunner.Result,
        until done: (CLIRunner.Result) -> Bool
    ) async throws -> CLIRunner.Result {
        let deadline = ContinuousClock.now + .seconds(10)
        var result = try command()
        while !done(result), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
            result = try command()
        }
        return result
    }
}
