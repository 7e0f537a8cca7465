import Foundation
import Testing

/// A live gateway whose mappings missed a referral: the operator sees it on `GET /unmatched`, fixes the
/// value set and sends SIGHUP, and the referral opens its episode without being posted again. Mappings
/// that do not load leave the running ones in place.
@Suite(.serialized) struct MappingReloadTests {
    static let localSystem = "http://hospital.example.org/fhir/CodeSystem/procedures"
    static let servicesFile = "value-sets/ophthalmology.cataract.services.json"

    static let transaction = """
        {"resourceType":"Bundle","type":"transaction","entry":[
          {"fullUrl":"urn:uuid:6a1e0c1e-0000-4000-8000-000000000001",
           "resource":{"resourceType":"Patient","id":"reload-p1",
             "identifier":[{"system":"http://hospital.example.org/mrn","value":"RELOAD-1"}],"gender":"female"},
           "request":{"method":"PUT","url":"Patient/reload-p1"}},
          {"fullUrl":"urn:uuid:6a1e0c1e-0000-4000-8000-000000000002",
           "resource":{"resourceType":"ServiceRequest","id":"reload-sr1",
             "identifier":[{"system":"http://hospital.example.org/referral","value":"RELOAD-SR1"}],
             "status":"active","intent":"order","authoredOn":"2026-11-30",
             "code":{"coding":[{"system":"\(localSystem)","code":"PHACO-IOL"}]},
             "subject":{"reference":"Patient/reload-p1"}},
           "request":{"method":"PUT","url":"ServiceRequest/reload-sr1"}}
        ]}
        """

    @Test(arguments: LiveBackend.allCases)
    func sighupWithAFixedValueSetOpensTheMissedEpisode(backend: LiveBackend) async throws {
        let directory = try ServerProcess.temporaryDirectory()
        let mappings = directory.appendingPathComponent("Mappings")
        try FileManager.default.copyItem(at: ServerProcess.repository.appendingPathComponent("Mappings"), to: mappings)
        try await backend.withServer(in: directory, mappings: mappings) { server in
            let posted = try await GatewayClient.send(
                "POST",
                server.baseURL.appendingPathComponent("fhir"),
                body: Data(Self.transaction.utf8)
            )
            #expect(posted.status == 200)
            #expect(String(decoding: posted.body, as: UTF8.self).contains("\(Self.localSystem)|PHACO-IOL"))
            #expect(try await Self.cataractEpisodes(server).isEmpty)
            #expect(try await Self.unmatchedCodes(server) == ["PHACO-IOL"])

            // A broken file: the reload is refused and the gateway goes on with the mappings it runs.
            let broken = mappings.appendingPathComponent("value-sets/broken.json")
            try Data("{ not json".utf8).write(to: broken)
            kill(server.process.processIdentifier, SIGHUP)
            try await Self.waitFor("the refused reload", server) { $0.logText.contains("mappings not reloaded") }
            #expect(
                try await GatewayClient.send("GET", server.baseURL.appendingPathComponent("health/ready")).status == 200
            )
            #expect(try await Self.unmatchedCodes(server) == ["PHACO-IOL"])

            try FileManager.default.removeItem(at: broken)
            try Self.addLocalCode(to: mappings.appendingPathComponent(Self.servicesFile))
            kill(server.process.processIdentifier, SIGHUP)
            try await Self.waitFor("the episode", server) { try await !Self.cataractEpisodes($0).isEmpty }
            let episodes = try await Self.cataractEpisodes(server)
            #expect(episodes.count == 1)
            #expect(episodes.first?.referrals == ["RELOAD-SR1"])
            #expect(try await Self.unmatchedCodes(server).isEmpty)
            #expect(server.logText.contains("mappings reloaded"))
        }
    }

    /// The cataract episodes the operator reads, with the business identifiers of their referrals.
    static func cataractEpisodes(_ server: ServerProcess) async throws -> [(id: String, referrals: [String])] {
        var components = URLComponents(
            url: server.baseURL.appendingPathComponent("episodes"),
            resolvingAgainstBaseURL: false
        )!
        components.queryItems = [URLQueryItem(name: "serviceLine", value: "ophthalmology.cataract")]
        let read = try await GatewayClient.send("GET", components.url!, token: GatewayClient.operatorToken)
        try #require(read.status == 200)
        let json = try JSONSerialization.jsonObject(with: read.body) as? [String: Any]
        return (json?["episodes"] as? [[String: Any]] ?? []).map { episode in
            let referrals = (episode["referrals"] as? [[String: Any]] ?? []).flatMap { referral in
                (referral["identifiers"] as? [[String: Any]] ?? []).compactMap { $0["value"] as? String }
            }
            return (episode["id"] as? String ?? "", referrals)
        }
    }

    /// The codes of every unmatched referral, newest first.
    static func unmatchedCodes(_ server: ServerProcess) async throws -> [String] {
        let read = try await GatewayClient.send(
            "GET",
            server.baseURL.appendingPathComponent("unmatched"),
            token: GatewayClient.operatorToken
        )
        try #require(read.status == 200)
        let json = try JSONSerialization.jsonObject(with: read.body) as? [String: Any]
        return (json?["unmatched"] as? [[String: Any]] ?? []).flatMap { listed in
            (listed["codes"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
        }
    }

    /// Adds the hospital's local cataract procedure code to the value set file.
    static func addLocalCode(to file: URL) throws {
        var valueSet = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        var compose = try #require(valueSet["compose"] as? [String: Any])
        var include = compose["include"] as? [[String: Any]] ?? []
        include.append(["system": Self.localSystem, "concept": [["code": "PHACO-IOL"]]])
        compose["include"] = include
        valueSet["compose"] = compose
        try JSONSerialization.data(withJSONObject: valueSet, options: [.prettyPrinted]).write(to: file)
    }

    /// Polls `condition` for up to 60 seconds.
    static func waitFor(
        _ what: String,
        _ server: ServerProcess,
        _ condition: (ServerProcess) async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if try await condition(server) { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("\(what) did not come within 60 seconds; the server's log:\n\(server.logText)")
    }
}
