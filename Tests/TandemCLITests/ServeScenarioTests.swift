import CoManagement
import FHIRCore
import Foundation
import Testing

@testable import tandem

/// Issue "the live gateway builds what the goldens show": every shipped scenario, posted step by step to a
/// running `tandem serve` as `tandem replay --to` posts it (its ``GatewayPoster``, here in the test's
/// process), as its sender, gives the golden episode documents the dry run gives (``SampleGoldenTests``),
/// in JSON and in XML, on SQLite and on PostgreSQL.
///
/// All five scenarios go to one gateway, each from its own sender, so that they also show one sender's
/// ids never meet another's. Only ids the gateway assigns at random (to resources sent without an id of
/// their own; none in the samples) would be left out of the comparison.
@Suite(.serialized) struct ServeScenarioTests {
    @Test(arguments: LiveBackend.allCases, [WireFormat.json, .xml])
    func everyScenarioGivesItsGoldenEpisodesThroughTheLiveGateway(
        backend: LiveBackend,
        encoding: WireFormat
    )
        async throws
    {
        try await backend.withServer { server in
            let base = server.baseURL.appendingPathComponent("fhir").absoluteString
            for scenario in GoldenScenario.all {
                let poster = GatewayPoster(base: base, token: "demo-token-\(scenario.sender)", timeout: .seconds(30))
                for step in scenario.steps {
                    let file = encoding == .json ? step.file : String(step.file.dropLast(5)) + ".xml"
                    var answer: GatewayPoster.Result?
                    await poster.post([(file, try scenario.bytes(step.file, encoding))]) { _ in
                    } report: {
                        answer = $2
                    }
                    #expect(answer?.succeeded == true, "\(scenario.folder)/\(file): \(String(describing: answer))")
                    let golden = try Self.golden(scenario, step.golden)
                    let live = try await Self.episodes(server, ids: golden.map(\.id))
                    #expect(
                        Self.masked(EpisodeDocument.encode(live)) == Self.masked(EpisodeDocument.encode(golden)),
                        "\(backend) \(encoding): \(scenario.folder)/\(step.golden) differs from the live gateway"
                    )
                }
            }
        }
    }

    /// The golden episodes after one step.
    static func golden(_ scenario: GoldenScenario, _ name: String) throws -> [Episode] {
        let data = try Data(contentsOf: scenario.directory.appendingPathComponent(name))
        struct Document: Decodable { var episodes: [Episode] }
        return try JSONDecoder().decode(Document.self, from: data).episodes
    }

    /// The live episodes with these ids, as the operator reads them.
    static func episodes(_ server: ServerProcess, ids: [String]) async throws -> [Episode] {
        var episodes: [Episode] = []
        for id in ids {
            let read = try await GatewayClient.send(
                "GET",
                server.baseURL.appendingPathComponent("episodes/\(id)"),
                token: GatewayClient.operatorToken
            )
            #expect(read.status == 200, "episode \(id): \(String(decoding: read.body, as: UTF8.self))")
            if read.status == 200 { episodes.append(try JSONDecoder().decode(Episode.self, from: read.body)) }
        }
        return episodes.sorted { $0.id < $1.id }
    }

    /// The document with every randomly assigned gateway id (UUID version 7) replaced by a placeholder;
    /// ids derived from the senders' own (version 8) stay, since they must be equal.
    static func masked(_ document: String) -> String {
        document.replacingOccurrences(
            of: "[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
            with: "<random-id>",
            options: .regularExpression
        )
    }
}
