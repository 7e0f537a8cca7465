import Foundation
import Testing

@testable import FHIRCore

/// Finds the official R4 material: `$TANDEM_FHIR_R4`, or a `shared/fhir-r4` folder beside one of the
/// directories above this file. Tests that need it are skipped when it is absent, except under CI.
enum FHIRR4Material {
    static let folder: URL? = {
        let manager = FileManager.default
        if let named = ProcessInfo.processInfo.environment["TANDEM_FHIR_R4"], manager.fileExists(atPath: named) {
            return URL(fileURLWithPath: named)
        }
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("shared/fhir-r4")
            if manager.fileExists(atPath: candidate.appendingPathComponent("examples/xml").path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }()

    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"

    /// Run the test when the material is there, or under CI (where its absence must fail).
    static let enabled = folder != nil || isCI

    /// Every XML example: base name and bytes.
    static func xmlExamples() throws -> [(name: String, bytes: [UInt8])] {
        let folder = try #require(
            Self.folder,
            "FHIR R4 material not found: set TANDEM_FHIR_R4 or provide ../shared/fhir-r4"
        )
        let xml = folder.appendingPathComponent("examples/xml")
        let names = try FileManager.default.contentsOfDirectory(atPath: xml.path).filter { $0.hasSuffix(".xml") }
            .sorted()
        return try names.map { name in
            (String(name.dropLast(4)), [UInt8](try Data(contentsOf: xml.appendingPathComponent(name))))
        }
    }
}

@Suite(.enabled(if: FHIRR4Material.enabled, "FHIR R4 examples not found (set TANDEM_FHIR_R4); skipped outside CI"))
struct XMLExampleTests {
    @Test func allOfficialExamplesReadWithoutErrors() throws {
        let examples = try FHIRR4Material.xmlExamples()
        #expect(examples.count == 248)
        for example in examples {
            do {
                let parsed = try FHIRXML.read(example.bytes)
                #expect(!parsed.issues.hasErrors, "\(example.name): \(parsed.issues)")
            } catch {
                Testing.Issue.record("\(example.name): \(error)")
            }
        }
    }

    @Test func examplesRoundTripToAnEqualTreeAndStableBytes() throws {
        for example in try FHIRR4Material.xmlExamples() {
            let parsed = try FHIRXML.read(example.bytes)
            for pretty in [false, true] {
                let written = FHIRXML.write(parsed.root, pretty: pretty)
                let reread = try FHIRXML.read(written)
                #expect(reread.root == parsed.root, "\(example.name) pretty=\(pretty)")
                #expect(!reread.issues.hasErrors, "\(example.name): \(reread.issues)")
                #expect(FHIRXML.write(reread.root, pretty: pretty) == written, "\(example.name) pretty=\(pretty)")
            }
        }
    }

    @Test func everyWrittenExampleValidatesAgainstTheR4Schema() throws {
        let xmllint = ["/usr/bin/xmllint", "/usr/local/bin/xmllint"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        guard let xmllint else {
            #expect(!FHIRR4Material.isCI, "xmllint is required under CI (apt-get install libxml2-utils)")
            return
        }
        let folder = try #require(FHIRR4Material.folder)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-xml-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var files: [String] = []
        for example in try FHIRR4Material.xmlExamples() {
            let file = directory.appendingPathComponent(example.name + ".xml")
            try Data(FHIRXML.write(try FHIRXML.read(example.bytes).root, pretty: true)).write(to: file)
            files.append(file.path)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: xmllint)
        process.arguments =
            ["--noout", "--schema", folder.appendingPathComponent("schema/xsd/fhir-single.xsd").path] + files
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let report = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let failures = report.split(separator: "\n").filter { !$0.hasSuffix(" validates") }
        #expect(process.terminationStatus == 0, "\(failures.prefix(20).joined(separator: "\n"))")
    }
}

extension XMLExampleTests {
    @Test func everyExampleNarrativePassesTheNarrativeRules() throws {
        func visit(_ node: Element, in name: String) {
            if node.type == "xhtml", let markup = node.value {
                let issues = XHTMLNarrative.issues(markup: markup, path: "div", at: node.location)
                #expect(issues.isEmpty, "\(name) \(node.location): \(issues)")
            }
            node.children.forEach { visit($0, in: name) }
        }
        for example in try FHIRR4Material.xmlExamples() {
            visit(try FHIRXML.read(example.bytes).root, in: example.name)
        }
    }
}
