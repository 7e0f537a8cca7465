import CoManagement
import FHIRCore
import Foundation
import Testing

@Suite struct EpisodeDocumentTests {
    static let schemaURL = MappingFixtures.root.appendingPathComponent("Samples/episode-document.schema.json")

    /// Episodes that use every part of the model: handoff with acknowledgement, consent, returned and
    /// overdue figures, care plan, a Lakeside referral, an episode with a bare patient reference.
    static func richEpisodes() throws -> [Episode] {
        let normaliser = Normaliser(mappings: try MappingFixtures.shipped())
        var book = EpisodeBook()
        let resources =
            CataractScenario.parties + [
                CataractScenario.referral(status: "completed", lastUpdated: "2026-04-20T12:00:00Z"),
                CataractScenario.task(id: "t-1", businessStatus: nil, status: "accepted", at: "2026-03-11T08:00:00Z"),
                CataractScenario.careTeam, CataractScenario.carePlan(), CataractScenario.consentDenyingOptometrist,
                CataractScenario.postOpReport,
                FHIRFixture.resource(
                    #"""
                    { "resourceType": "ServiceRequest", "id": "hip-1", "status": "active", "intent": "order",
                      "code": { "coding": [{ "system": "http://www.ama-assn.org/go/cpt", "code": "27236" }] },
                      "subject": { "reference": "Patient/elsewhere" }, "authoredOn": "2026-02-01" }
                    """#
                ),
            ]
        for resource in resources { _ = normaliser.ingest(resource, sender: nil, into: &book) }
        _ = normaliser.reevaluate(at: try #require(FHIRInstant("2026-05-01T00:00:00Z")), book: &book)
        return book.sortedEpisodes
    }

    @Test func documentIsStableSortedJSON() throws {
        let episodes = try Self.richEpisodes()
        let text = EpisodeDocument.encode(episodes)
        #expect(text == EpisodeDocument.encode(episodes))
        #expect(text.hasPrefix("{\n  \"episodes\" : ["))
        #expect(text.contains("\"kind\" : \"handoff-acknowledged\""))
        #expect(!text.contains("null"))
    }

    @Test func schemaEnumsMatchTheModel() throws {
        let schema = try JSONValue.read(Array(Data(contentsOf: Self.schemaURL)))
        func enumValues(_ path: [String]) -> [String] {
            var value: JSONValue? = schema
            for key in path { value = value?[key] }
            return value?["enum"]?.arrayValue?.compactMap(\.stringValue) ?? []
        }
        #expect(enumValues(["$defs", "Episode", "properties", "status"]) == EpisodeStatus.allCases.map(\.rawValue))
        #expect(enumValues(["$defs", "TimelineEvent", "properties", "kind"]) == EventKind.allCases.map(\.rawValue))
    }

    /// Validates the document on stdin against the schema named by the first argument.
    static let validator = """
        import json, sys, jsonschema
        schema = json.load(open(sys.argv[1]))
        jsonschema.Draft202012Validator.check_schema(schema)
        errors = list(jsonschema.Draft202012Validator(schema).iter_errors(json.load(sys.stdin)))
        for error in errors: print(list(error.absolute_path), error.message)
        sys.exit(1 if errors else 0)
        """

    @Test func encodedEpisodesValidateAgainstTheSchema() throws {
        guard Self.pythonHasJSONSchema() else {
            if ProcessInfo.processInfo.environment["CI"] == "true" {
                Issue.record("python3 with the jsonschema package is required in CI")
            } else {
                print("note: skipping schema validation: python3 with jsonschema is not installed")
            }
            return
        }
        let document = EpisodeDocument.encode(try Self.richEpisodes())
        let (status, output) = try Self.run(["python3", "-c", Self.validator, Self.schemaURL.path], input: document)
        #expect(status == 0, "\(output)")
    }

    static func pythonHasJSONSchema() -> Bool {
        (try? Self.run(["python3", "-c", "import jsonschema"], input: ""))?.status == 0
    }

    static func run(_ arguments: [String], input: String) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stdout
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}

extension EpisodeDocumentTests {
    /// Validates each file named after the schema; prints `file: path message` per error.
    static let fileValidator = """
        import json, sys, jsonschema
        validator = jsonschema.Draft202012Validator(json.load(open(sys.argv[1])))
        errors = [(name, error) for name in sys.argv[2:] for error in validator.iter_errors(json.load(open(name)))]
        for name, error in errors: print(name, list(error.absolute_path), error.message)
        sys.exit(1 if errors else 0)
        """

    @Test func everyGoldenEpisodeDocumentValidatesAgainstTheSchema() throws {
        guard Self.pythonHasJSONSchema() else {
            if ProcessInfo.processInfo.environment["CI"] == "true" {
                Issue.record("python3 with the jsonschema package is required in CI")
            }
            return
        }
        let samples = MappingFixtures.root.appendingPathComponent("Samples")
        let goldens = (FileManager.default.subpaths(atPath: samples.path) ?? [])
            .filter { $0.hasSuffix(".episode.json") }.sorted().map { samples.appendingPathComponent($0).path }
        #expect(goldens.count >= 30)
        let (status, output) = try Self.run(
            ["python3", "-c", Self.fileValidator, Self.schemaURL.path] + goldens,
            input: ""
        )
        #expect(status == 0, "\(output)")
    }
}
