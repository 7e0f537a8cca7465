import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `tandem serve` with a partner: what it accepts is planned into the outbox in the ingest transaction and
/// the forwarder delivers it to a real `tandem sink`, in order and signed.
@Suite(.serialized) struct ServeDeliveryTests {
    static let samples = ServerProcess.repository.appendingPathComponent("Samples/ophthalmology.cataract")

    /// The forwarder polls once an hour here, so only the doorbell can bring the referral's deliveries out
    /// in time: on PostgreSQL it must ring once the ingest has committed (a forwarder woken while the
    /// transaction is still open claims beside it, finds nothing and sleeps until the next poll).
    @Test(arguments: LiveBackend.allCases)
    func anAcceptedReferralIsDeliveredWithoutWaitingForAPoll(backend: LiveBackend) async throws {
        let sink = try SinkProcess(["--secret", "s3cret"])
        let directory = try ServerProcess.temporaryDirectory()
        let config = try Self.hourlyPollConfiguration(partner: sink, in: directory)
        try await backend.withServer(config: config, in: directory) { server in
            let body = try Data(contentsOf: Self.samples.appendingPathComponent("01-referral.json"))
            let response = try await GatewayClient.send(
                "POST",
                server.baseURL.appendingPathComponent("fhir"),
                body: body
            )
            #expect(response.status == 200, "\(String(decoding: response.body, as: UTF8.self))")
            // The referral's three events: episode opened, referral created, participant added.
            let lines = sink.stop(afterLines: 3, timeout: .seconds(15)).filter { $0.contains("event=") }
            #expect(lines.count == 3, "the sink saw: \(lines); the gateway logged: \(server.logText)")
        }
    }

    /// A configuration whose one partner, `eyecare`, is `sink` (secret `s3cret`) for cataract episodes, and
    /// whose forwarder polls once an hour, so that only a doorbell brings deliveries out within a test.
    static func hourlyPollConfiguration(partner sink: SinkProcess, in directory: URL) throws -> URL {
        let partner: [String: Any] = [
            "id": "eyecare", "endpoint": sink.url.absoluteString, "serviceLines": ["ophthalmology.cataract"],
            "hmacSecret": "s3cret", "timeout": "5s",
        ]
        return try ServerProcess.writeConfiguration(
            ["partners": [partner], "delivery": ["pollInterval": "1h"]],
            in: directory
        )
    }

    @Test func aPartnerForTheServiceLineReceivesTheScenarioInOrder() async throws {
        let sink = try SinkProcess(["--secret", "s3cret"])
        let directory = try ServerProcess.temporaryDirectory()
        let partner: [String: Any] = [
            "id": "eyecare", "endpoint": sink.url.absoluteString, "serviceLines": ["ophthalmology.cataract"],
            "hmacSecret": "s3cret", "timeout": "5s",
            "retry": ["baseBackoff": "100ms", "maximumBackoff": "1s", "maximumAge": "1m"],
        ]
        let config = try ServerProcess.writeConfiguration(["partners": [partner]], in: directory)
        let server = try await ServerProcess.start(in: directory, config: config)
        defer { server.stop() }

        // The referral is a transaction Bundle; the acceptance a Task, updated in place by its id.
        let requests = [
            ("01-referral.json", "POST", "fhir"), ("02-acceptance.json", "PUT", "fhir/Task/les-tsk-26-01182"),
        ]
        for (sample, method, path) in requests {
            let body = try Data(contentsOf: Self.samples.appendingPathComponent(sample))
            let response = try await GatewayClient.send(method, server.baseURL.appendingPathComponent(path), body: body)
            #expect(
                [200, 201].contains(response.status),
                "\(sample): \(String(decoding: response.body, as: UTF8.self))"
            )
        }

        let lines = sink.stop(afterLines: 5, timeout: .seconds(20)).filter { $0.contains("event=") }
        // The referral's events (episode opened, referral created, participant added), then the acceptance's
        // (referral accepted, status changed): one episode, so one stream numbered 1…5.
        #expect(lines.count == 5, "the sink saw: \(lines); the gateway logged: \(server.logText)")
        for (index, line) in lines.enumerated() {
            #expect(line.contains("event=\(index + 1) "), "\(line)")
            #expect(line.contains("partner=eyecare in-order (signature ok"), "\(line)")
        }
        #expect(
            Set(lines.compactMap { $0.split(separator: " ").first { $0.hasPrefix("delivery=") } }).count == lines.count
        )
    }
}
