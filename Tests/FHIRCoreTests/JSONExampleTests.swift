import FHIRCore
import Foundation
import Testing

/// Where the official R4 examples live: `TANDEM_FHIR_R4`, or a `shared/fhir-r4` folder found by walking
/// up from this file (the checkout's sibling). Absent on a bare checkout, where the tests that need it are
/// skipped; on CI (`CI=true`) their absence is a failure.
enum OfficialExamples {
    static let directory: URL? = {
        func hasExamples(_ folder: URL) -> Bool {
            FileManager.default.fileExists(atPath: folder.appendingPathComponent("examples/json").path)
        }
        if let path = ProcessInfo.processInfo.environment["TANDEM_FHIR_R4"] {
            let folder = URL(fileURLWithPath: path)
            return hasExamples(folder) ? folder : nil
        }
        var folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while folder.path != "/" {
            let candidate = folder.appendingPathComponent("shared/fhir-r4")
            if hasExamples(candidate) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return nil
    }()

    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"

    /// File names of the JSON examples, sorted; empty when the folder is absent.
    static let jsonNames: [String] = {
        guard let folder = directory?.appendingPathComponent("examples/json") else { return [] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted()
    }()

    static func bytes(_ name: String) throws -> [UInt8] {
        let folder = try #require(directory).appendingPathComponent("examples/json")
        return Array(try Data(contentsOf: folder.appendingPathComponent(name)))
    }
}

/// Compares two Foundation JSON values as generic values (object key order ignored, numbers by value);
/// returns the path of the first difference, or nil when equal.
func jsonDifference(_ lhs: Any, _ rhs: Any, at path: String = "$") -> String? {
    switch (lhs, rhs) {
    case let (left as [String: Any], right as [String: Any]):
        for key in Set(left.keys).union(right.keys).sorted() {
            guard let l = left[key], let r = right[key] else { return "\(path).\(key) present on one side only" }
            if let difference = jsonDifference(l, r, at: "\(path).\(key)") { return difference }
        }
        return nil
    case let (left as [Any], right as [Any]):
        guard left.count == right.count else { return "\(path) has \(left.count) vs \(right.count) items" }
        for (index, pair) in zip(left, right).enumerated() {
            if let difference = jsonDifference(pair.0, pair.1, at: "\(path)[\(index)]") { return difference }
        }
        return nil
    case let (left as String, right as String):
        return left == right ? nil : "\(path): \"\(left)\" vs \"\(right)\""
    case (is NSNull, is NSNull):
        return nil
    case let (left as NSNumber, right as NSNumber):
        return left.doubleValue == right.doubleValue ? nil : "\(path): \(left) vs \(right)"
    default:
        return "\(path): \(lhs) vs \(rhs) differ in kind"
    }
}

@Suite struct JSONExampleTests {
    @Test(.enabled(if: OfficialExamples.isCI, "only on CI, where the examples must be present"))
    func officialExamplesArePresentOnCI() throws {
        let directory = try #require(OfficialExamples.directory, "set TANDEM_FHIR_R4 to the shared/fhir-r4 folder")
        #expect(OfficialExamples.jsonNames.count == 248, "\(directory.path)")
    }

    @Test(
        .enabled(if: OfficialExamples.directory != nil, "official FHIR R4 examples not found: set TANDEM_FHIR_R4"),
        arguments: OfficialExamples.jsonNames
    )
    func officialExampleReadsWithoutErrors(_ name: String) throws {
        let parsed = try FHIRJSON.read(OfficialExamples.bytes(name))
        #expect(!parsed.issues.hasErrors, "\(parsed.issues)")
        #expect(parsed.root.isResource)
        #expect(parsed.root.location.isKnown)
    }

    @Test(
        .enabled(if: OfficialExamples.directory != nil, "official FHIR R4 examples not found: set TANDEM_FHIR_R4"),
        arguments: OfficialExamples.jsonNames
    )
    func officialExampleRoundTripsAndMatchesTheOfficialJSON(_ name: String) throws {
        let original = try OfficialExamples.bytes(name)
        let tree = try FHIRJSON.read(original).root
        let written = FHIRJSON.write(tree)
        let reread = try FHIRJSON.read(written)
        #expect(reread.issues.issues.isEmpty, "\(reread.issues)")
        #expect(reread.root == tree)
        #expect(FHIRJSON.write(reread.root) == written, "writing is not byte-stable")
        let pretty = FHIRJSON.write(tree, pretty: true)
        #expect(try FHIRJSON.read(pretty).root == tree)

        let official = try JSONSerialization.jsonObject(with: Data(original))
        let ours = try JSONSerialization.jsonObject(with: Data(written))
        let difference = jsonDifference(official, ours)
        #expect(difference == nil, "\(difference ?? "")")
        #expect(jsonDifference(official, try JSONSerialization.jsonObject(with: Data(pretty))) == nil)
    }
}
