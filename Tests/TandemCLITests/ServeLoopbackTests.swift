import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `tandem serve` as a real process on loopback, driven by curl and by URLSession.
@Suite(.serialized) struct ServeLoopbackTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func curlPostsASampleTransaction() async throws {
        let server = try await ServerProcess.start()
        defer { server.stop() }
        let sample = Self.root.appendingPathComponent("Samples/ophthalmology.cataract/01-referral.json")
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = [
            "-sS", "-X", "POST", server.baseURL.appendingPathComponent("fhir").absoluteString,
            "-H", "Authorization: Bearer \(GatewayClient.token)", "-H", "Content-Type: application/fhir+json",
            // curl would send Expect: 100-continue for a large body, which Hummingbird does not answer.
            "-H", "Expect:", "--data-binary", "@\(sample.path)",
            "-o", server.directory.appendingPathComponent("response.json").path, "-w", "%{http_code}",
        ]
        let output = Pipe()
        curl.standardOutput = output
        try curl.run()
        let status = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        curl.waitUntilExit()
        #expect(status == "200")
        let body = try Data(contentsOf: server.directory.appendingPathComponent("response.json"))
        let bundle = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
        #expect(bundle["type"] as? String == "transaction-response")
        #expect((bundle["entry"] as? [Any])?.count == 9)
    }

    @Test func urlSessionCreatesReadsAndSurvivesAGracefulRestart() async throws {
        let server = try await ServerProcess.start()
        let patient =
            #"<Patient xmlns="http://hl7.org/fhir"><identifier><system value="urn:oid:1.2"/><value value="LOOP-1"/></identifier><gender value="other"/></Patient>"#
        let created = try await GatewayClient.send(
            "POST",
            server.baseURL.appendingPathComponent("fhir/Patient"),
            body: Data(patient.utf8),
            contentType: "application/fhir+xml"
        )
        #expect(created.status == 201)
        let location = try #require(created.headers["Location"] as? String)
        #expect(server.stop() == 0, "SIGTERM is a graceful, successful stop: \(server.logText)")

        let restarted = try await ServerProcess.start(in: server.directory)
        defer { restarted.stop() }
        let path = try #require(URL(string: location)?.path)
        let read = try await GatewayClient.send("GET", restarted.baseURL.appendingPathComponent(path))
        #expect(read.status == 200)
        let resource = try #require(try JSONSerialization.jsonObject(with: read.body) as? [String: Any])
        #expect(resource["gender"] as? String == "other")
        #expect(!server.logText.contains("LOOP-1"), "logs never contain message content")
    }
}
