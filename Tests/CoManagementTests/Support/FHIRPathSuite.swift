import CoManagement
import FHIRCore
import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// One test of the official FHIRPath suite (`tests-fhir-r4.xml`).
struct FHIRPathSuiteCase: Sendable, CustomStringConvertible {
    var name = ""
    var group = ""
    var inputFile: String?
    var expression = ""
    /// `syntax`, `semantic` or `execution` when the test expects an error.
    var invalid: String?
    var predicate = false
    var outputs: [(type: String, text: String)] = []

    var description: String { self.name }
}

/// Finds and reads the suite: `$TANDEM_FHIR_R4/fhirpath`, or `shared/fhir-r4/fhirpath` next to a
/// directory above this file.
enum FHIRPathSuite {
    static let directory: URL? = {
        if let root = ProcessInfo.processInfo.environment["TANDEM_FHIR_R4"] {
            return URL(fileURLWithPath: root).appendingPathComponent("fhirpath")
        }
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            let candidate = url.appendingPathComponent("shared/fhir-r4/fhirpath")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("tests-fhir-r4.xml").path) {
                return candidate
            }
            url.deleteLastPathComponent()
        }
        return nil
    }()

    static let cases: [FHIRPathSuiteCase] = {
        guard let directory,
            let data = try? Data(contentsOf: directory.appendingPathComponent("tests-fhir-r4.xml"))
        else { return [] }
        let reader = SuiteReader()
        let parser = XMLParser(data: data)
        parser.delegate = reader
        _ = parser.parse()
        return reader.cases
    }()

    static let knownFailures: Set<String> = {
        guard let url = Bundle.module.url(forResource: "Resources/fhirpath-known-failures", withExtension: "txt"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else { return [] }
        return Set(
            text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        )
    }()

    /// Input trees by file name, read once.
    static let inputs: [String: Element] = {
        guard let directory else { return [:] }
        var trees: [String: Element] = [:]
        let folder = directory.appendingPathComponent("input")
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] {
            guard let data = try? Data(contentsOf: folder.appendingPathComponent(name)) else { continue }
            trees[name] = try? TestTreeReader.read(data, fileName: name)
        }
        return trees
    }()
}

private final class SuiteReader: NSObject, XMLParserDelegate {
    var cases: [FHIRPathSuiteCase] = []
    private var group = ""
    private var current: FHIRPathSuiteCase?
    private var text = ""
    private var outputType = ""

    func parser(
        _ parser: XMLParser,
        didStartElement name: String,
        namespaceURI: String?,
        qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        self.text = ""
        switch name {
        case "group": self.group = attributes["name"] ?? ""
        case "test":
            var test = FHIRPathSuiteCase()
            test.name = attributes["name"] ?? ""
            test.group = self.group
            test.inputFile = attributes["inputfile"]
            test.predicate = attributes["predicate"] == "true"
            self.current = test
        case "expression": self.current?.invalid = attributes["invalid"]
        case "output": self.outputType = attributes["type"] ?? ""
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        self.text += string
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        switch name {
        case "expression": self.current?.expression = self.text
        case "output": self.current?.outputs.append((self.outputType, self.text))
        case "test":
            if let test = self.current { self.cases.append(test) }
            self.current = nil
        default: break
        }
    }
}
