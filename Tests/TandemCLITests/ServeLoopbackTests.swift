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
        #expect(server.logText.contains("tandem.status=201"), "one line per request, with its status")
    }

    /// libxml2 prints input it cannot decode, with some of its bytes, to standard error unless told
    /// otherwise; the server answers it instead, and its log stays free of message content.
    @Test func undecodableXMLIsAnsweredAndNeverReachesTheLog() async throws {
        let server = try await ServerProcess.start()
        defer { server.stop() }
        let document =
            Data(#"<?xml version="1.0" encoding="EUC-JP"?><Patient xmlns="http://hl7.org/fhir"><gender value=""#.utf8)
            + Data([0xFF, 0xFE, 0xFD]) + Data(#""/></Patient>"#.utf8)
        let answer = try await GatewayClient.send(
            "POST",
            server.baseURL.appendingPathComponent("fhir/Patient"),
            body: document,
            contentType: "application/fhir+xml"
        )
        #expect(answer.status == 400)
        let outcome = try #require(try JSONSerialization.jsonObject(with: answer.body) as? [String: Any])
        #expect(outcome["resourceType"] as? String == "OperationOutcome")
        #expect(String(decoding: answer.body, as: UTF8.self).contains("cannot be decoded in its declared encoding"))
        // libxml2 would have written to standard error (unbuffered, the log file) before the answer.
        #expect(!server.logText.contains("0xFF"), "\(server.logText)")
        #expect(!server.logText.contains("encoding error"), "\(server.logText)")
    }

    /// The episode book survives a restart: the timeline goes on numbering where it stopped.
    @Test func episodeTimelineContinuesAcrossARestart() async throws {
        let folder = Self.root.appendingPathComponent("Samples/ophthalmology.cataract")
        func post(_ file: String, to server: ServerProcess) async throws {
            let data = try Data(contentsOf: folder.appendingPathComponent(file))
            let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            let type = object?["resourceType"] as? String ?? ""
            let path = type == "Bundle" ? "fhir" : "fhir/\(type)"
            var request = URLRequest(url: server.baseURL.appendingPathComponent(path))
            request.httpMethod = "POST"
            request.httpBody = data
            request.setValue("Bearer demo-token-lakeside-eye-surgery", forHTTPHeaderField: "Authorization")
            request.setValue("application/fhir+json", forHTTPHeaderField: "Content-Type")
            let (_, response) = try await URLSession.shared.data(for: request)
            #expect((200..<300).contains((response as? HTTPURLResponse)?.statusCode ?? 0), "\(file)")
        }
        func timeline(_ server: ServerProcess) async throws -> [Int] {
            let read = try await GatewayClient.send(
                "GET",
                server.baseURL.appendingPathComponent("episodes"),
                token: GatewayClient.operatorToken
            )
            let object = try JSONSerialization.jsonObject(with: read.body) as? [String: Any]
            let episode = (object?["episodes"] as? [[String: Any]])?.first
            return (episode?["timeline"] as? [[String: Any]] ?? []).compactMap { $0["number"] as? Int }
        }
        let first = try await ServerProcess.start()
        try await post("01-referral.json", to: first)
        let before = try await timeline(first)
        #expect(!before.isEmpty)
        first.stop()
        let second = try await ServerProcess.start(in: first.directory)
        defer { second.stop() }
        try await post("02-acceptance.json", to: second)
        let after = try await timeline(second)
        #expect(after.count > before.count)
        #expect(after == Array(1...after.count))
    }
}
