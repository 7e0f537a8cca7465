import FHIRCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Episodes are normalised in the ingest transaction and read back through `/episodes`.
@Suite struct EpisodeTests {
    static let patientKey = "http://lakeside-eye.example.org/fhir/sid/patient|LES-204817"

    /// The cataract scenario's messages, with the URL each is posted to.
    static func cataractSteps() throws -> [(uri: String, body: ByteBuffer)] {
        try BundleFixtures.samples { _ in true }
            .filter { $0.name.hasPrefix("ophthalmology.cataract/") }
            .map { sample in
                let resource = try FHIRJSON.read(sample.bytes).root
                return (resource.type == "Bundle" ? "/fhir" : "/fhir/\(resource.type)", ByteBuffer(bytes: sample.bytes))
            }
    }

    static func episodes(
        _ client: some TestClientProtocol,
        query: String,
        token: String = GatewayFixture.lakesideToken
    ) async throws -> [[String: Any]] {
        let response = try await client.execute(
            uri: "/episodes?\(query)",
            method: .get,
            headers: [.authorization: "Bearer \(token)"]
        )
        #expect(response.status == .ok)
        let object = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
        return object?["episodes"] as? [[String: Any]] ?? []
    }

    @Test func scenarioBuildsOneEpisodeWithParticipantsTimelineAndMeasures() async throws {
        let steps = try Self.cataractSteps()
        try #require(steps.count == 5)
        try await GatewayFixture.withGateway { client in
            let headers = GatewayFixture.headers(.json, token: GatewayFixture.lakesideToken)
            for step in steps {
                let response = try await client.execute(uri: step.uri, method: .post, headers: headers, body: step.body)
                #expect((200..<300).contains(response.status.code))
            }
            let patient = Self.patientKey.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            let episodes = try await Self.episodes(
                client,
                query: "patient=\(patient)&serviceLine=ophthalmology.cataract"
            )
            try #require(episodes.count == 1)
            let id = try #require(episodes[0]["id"] as? String)
            #expect(try await Self.episodes(client, query: "status=declined").isEmpty)

            // Another sender neither lists nor reads it: its existence is not shown.
            #expect(try await Self.episodes(client, query: "", token: GatewayFixture.token).isEmpty)
            let foreign = try await client.execute(
                uri: "/episodes/\(id)",
                method: .get,
                headers: [.authorization: "Bearer \(GatewayFixture.token)"]
            )
            #expect(foreign.status == .notFound)
            #expect(try await Self.episodes(client, query: "", token: GatewayFixture.operatorToken).count == 1)
            let response = try await client.execute(
                uri: "/episodes/\(id)",
                method: .get,
                headers: [.authorization: "Bearer \(GatewayFixture.lakesideToken)"]
            )
            #expect(response.status == .ok)
            let episode = try #require(
                try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
            )
            #expect(episode["status"] as? String == "handed-off")
            let roles = (episode["participants"] as? [[String: Any]] ?? []).compactMap { $0["role"] as? String }
            #expect(Set(roles) == ["surgeon", "optometrist"])
            let numbers = (episode["timeline"] as? [[String: Any]] ?? []).compactMap { $0["number"] as? Int }
            #expect(!numbers.isEmpty && numbers == Array(1...numbers.count))
            #expect(episode["measures"] is [String: Any])
        }
    }

    /// The normaliser runs in the single writer, so concurrent messages about one patient are normalised
    /// one after another against the latest book: one episode, the final state the scenario reaches in
    /// order (the normaliser's state does not depend on arrival order), and an unbroken timeline.
    @Test func concurrentMessagesAboutOnePatientYieldOneConsistentEpisode() async throws {
        let steps = try Self.cataractSteps()
        try await GatewayFixture.withGateway { client in
            let headers = GatewayFixture.headers(.json, token: GatewayFixture.lakesideToken)
            try await withThrowingTaskGroup(of: Int.self) { group in
                for step in steps {
                    group.addTask {
                        Int(
                            try await client.execute(uri: step.uri, method: .post, headers: headers, body: step.body)
                                .status.code
                        )
                    }
                }
                for try await status in group { #expect((200..<300).contains(status)) }
            }
            let episodes = try await Self.episodes(client, query: "serviceLine=ophthalmology.cataract")
            try #require(episodes.count == 1)
            #expect(episodes[0]["status"] as? String == "handed-off")
            let numbers = (episodes[0]["timeline"] as? [[String: Any]] ?? []).compactMap { $0["number"] as? Int }
            #expect(!numbers.isEmpty && numbers == Array(1...numbers.count))
        }
    }

    @Test func unknownEpisodeIs404() async throws {
        try await GatewayFixture.withGateway { client in
            let response = try await client.execute(
                uri: "/episodes/nope",
                method: .get,
                headers: [.authorization: "Bearer \(GatewayFixture.token)"]
            )
            #expect(response.status == .notFound)
        }
    }

    @Test func episodesNeedASender() async throws {
        try await GatewayFixture.withGateway { client in
            let response = try await client.execute(uri: "/episodes", method: .get)
            #expect(response.status == .unauthorized)
        }
    }
}
