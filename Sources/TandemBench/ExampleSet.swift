import FHIRCore
import Foundation

/// The official examples as bytes in both formats, with their trees (for the Bundle generator).
struct ExampleSet {
    var json: [[UInt8]] = []
    var xml: [[UInt8]] = []
    var trees: [Element] = []

    var count: Int { self.json.count }

    func documents(_ format: WireFormat) -> [[UInt8]] { format == .json ? self.json : self.xml }

    static func load(corpusFolder: String) throws -> ExampleSet {
        let folder = URL(fileURLWithPath: corpusFolder).appendingPathComponent("examples")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("json").path)
            .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
        var set = ExampleSet()
        for name in names {
            let json = try [UInt8](contentsOf: folder.appendingPathComponent("json/\(name).json"))
            let xml = try [UInt8](contentsOf: folder.appendingPathComponent("xml/\(name).xml"))
            set.json.append(json)
            set.xml.append(xml)
            set.trees.append(try FHIRJSON.read(json).root)
        }
        return set
    }
}
