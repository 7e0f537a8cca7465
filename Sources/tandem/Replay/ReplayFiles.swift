import ArgumentParser
import FHIRCore
import Foundation

/// The files a replay posts, in order: each argument as given, a directory expanded to its step files.
enum ReplayFiles {
    /// Expands directories to their `NN-*` step files, sorted by name, in the chosen encoding (a scenario
    /// holds JSON and XML twins of every step; posting both would send each step twice). Goldens
    /// (`*.episode.json`) and `scenario.json` are left out; explicit file arguments are kept as given.
    ///
    /// - Throws: `ValidationError` naming a path that does not exist or a directory without step files.
    static func expand(_ arguments: [String], encoding: WireFormat) throws -> [String] {
        var files: [String] = []
        for argument in arguments {
            var isDirectory: ObjCBool = false
            guard argument == "-" || FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) else {
                throw ValidationError("'\(argument)': no such file or directory")
            }
            guard isDirectory.boolValue else {
                files.append(argument)
                continue
            }
            let names = try FileManager.default.contentsOfDirectory(atPath: argument).filter { name in
                self.isStep(name) && name.hasSuffix(".\(encoding.rawValue)")
            }
            guard !names.isEmpty else {
                throw ValidationError("'\(argument)' holds no step files (NN-name.\(encoding.rawValue))")
            }
            let directory = URL(fileURLWithPath: argument)
            files += names.sorted().map { directory.appendingPathComponent($0).relativePath }
        }
        return files
    }

    /// `01-referral.json`: two digits, a dash, not a golden.
    static func isStep(_ name: String) -> Bool {
        let prefix = Array(name.prefix(3))
        return prefix.count == 3 && prefix[0].isNumber && prefix[1].isNumber && prefix[2] == "-"
            && !name.hasSuffix(".episode.json")
    }
}

/// Defaults a scenario folder offers: its `scenario.json`'s sender and evaluation time.
struct ScenarioDefaults {
    var sender: String?
    var evaluateAt: String?

    static func near(_ file: String) -> ScenarioDefaults? {
        let scenario = URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent("scenario.json")
        guard let data = FileManager.default.contents(atPath: scenario.path),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        return ScenarioDefaults(sender: object["sender"] as? String, evaluateAt: object["evaluateAt"] as? String)
    }

    /// Whether the bytes look like a FHIR resource: XML, or JSON with a `resourceType`.
    static func isFHIRResource(_ bytes: [UInt8]) -> Bool {
        switch WireFormat.sniff(bytes) {
        case .xml: return true
        case .json: return String(decoding: bytes.prefix(4096), as: UTF8.self).contains("\"resourceType\"")
        case nil: return false
        }
    }
}
