import Foundation
import Testing

/// The official FHIR R4 material in `../shared/fhir-r4` (or `$TANDEM_FHIR_R4`), read in place, never copied.
///
/// Where it is absent (a user's fresh clone) the suites that need it skip and say so; with `CI=true` they
/// fail instead, so CI cannot pass by skipping them.
enum ExampleCorpus {
    /// The `fhir-r4` folder, when present.
    static let root: URL? = {
        if let path = ProcessInfo.processInfo.environment["TANDEM_FHIR_R4"] {
            return URL(fileURLWithPath: path)
        }
        var folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while folder.path != "/" {
            let candidate = folder.appendingPathComponent("shared/fhir-r4")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("examples").path) {
                return candidate
            }
            folder = folder.deletingLastPathComponent()
        }
        return nil
    }()

    static var isRequired: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// Whether suites needing the corpus should run; records a failure when it is missing in CI.
    static var isAvailable: Bool {
        if self.root != nil { return true }
        if self.isRequired {
            Issue.record("../shared/fhir-r4 is missing, and CI=true forbids skipping the suites that need it")
        } else {
            print("note: ../shared/fhir-r4 not found; skipping the suites that need it (set TANDEM_FHIR_R4)")
        }
        return false
    }

    /// Base names of the example pairs (`servicerequest-example`), sorted.
    static let exampleNames: [String] = {
        guard let root else { return [] }
        let folder = root.appendingPathComponent("examples/json")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }()

    static func json(_ name: String) throws -> [UInt8] {
        try self.bytes("examples/json/\(name).json")
    }

    static func xml(_ name: String) throws -> [UInt8] {
        try self.bytes("examples/xml/\(name).xml")
    }

    static func bytes(_ relativePath: String) throws -> [UInt8] {
        let root = try #require(self.root)
        return [UInt8](try Data(contentsOf: root.appendingPathComponent(relativePath)))
    }

    /// Whether a suite needing the corpus should run: it is there, or CI requires it (and then fails).
    static var enabled: Bool { self.root != nil || self.isRequired }

    /// Every XML example: base name and bytes.
    static func xmlExamples() throws -> [(name: String, bytes: [UInt8])] {
        try self.requireRoot()
        return try self.exampleNames.map { ($0, try self.xml($0)) }
    }

    /// Every JSON example: base name and bytes.
    static func jsonExamples() throws -> [(name: String, bytes: [UInt8])] {
        try self.requireRoot()
        return try self.exampleNames.map { ($0, try self.json($0)) }
    }

    private static func requireRoot() throws {
        _ = try #require(self.root, "FHIR R4 material not found: set TANDEM_FHIR_R4 or provide ../shared/fhir-r4")
    }

    static var xsd: URL? { self.root?.appendingPathComponent("schema/xsd/fhir-single.xsd") }
}
