import FHIRCore
import Foundation
import Testing

/// Every XML document Tandem writes for the official examples, from either source format, is valid
/// against the official R4 schema (`fhir-single.xsd`), checked with `xmllint`.
@Suite struct XSDValidityTests {
    @Test(arguments: [WireFormat.json, .xml])
    func everyWrittenExampleValidatesAgainstTheSchema(source: WireFormat) throws {
        guard ExampleCorpus.isAvailable, let xsd = ExampleCorpus.xsd else { return }
        guard let xmllint = Self.xmllint else {
            if ExampleCorpus.isRequired { Issue.record("xmllint is missing (scripts/setup.sh installs libxml2-utils)") }
            return
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-xsd-\(source)-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }

        var files: [String] = []
        for name in ExampleCorpus.exampleNames {
            let bytes = source == .json ? try ExampleCorpus.json(name) : try ExampleCorpus.xml(name)
            let written = FHIRXML.write(try FHIRCodec.read(bytes, as: source).root, pretty: true)
            let file = folder.appendingPathComponent("\(name).xml")
            try Data(written).write(to: file)
            files.append(file.path)
        }

        let process = Process()
        process.executableURL = xmllint
        process.arguments = ["--noout", "--nonet", "--schema", xsd.path] + files
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let report = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let failures = report.split(separator: "\n").filter { !$0.hasSuffix(" validates") }
        #expect(process.terminationStatus == 0 && failures.isEmpty, "\(failures.prefix(20).joined(separator: "\n"))")
        #expect(report.split(separator: "\n").filter { $0.hasSuffix(" validates") }.count == files.count)
    }

    static let xmllint: URL? = ["/usr/bin/xmllint", "/usr/local/bin/xmllint"]
        .map(URL.init(fileURLWithPath:))
        .first { FileManager.default.isExecutableFile(atPath: $0.path) }
}
