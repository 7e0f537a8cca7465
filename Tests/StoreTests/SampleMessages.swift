import CoManagement
import FHIRCore
import Foundation
import Store

/// The repository's co-management samples as store writes, for tests that normalise: the normaliser over
/// `Mappings/`, and each sample message's resources as ``ResourceWrite``s the way the server hands them in
/// (an update per resource with its own id, `urn:uuid` references rewritten to `Type/id`).
enum SampleMessages {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func normaliser() throws -> Normaliser {
        try self.normaliser { _ in }
    }

    /// The shipped mappings after `edit` changed their files (paths relative to `Mappings/`).
    static func normaliser(editing edit: (inout [String: [UInt8]]) throws -> Void) throws -> Normaliser {
        let mappings = Self.root.appendingPathComponent("Mappings")
        var files: [String: [UInt8]] = [:]
        let enumerator = FileManager.default.enumerator(at: mappings, includingPropertiesForKeys: nil)
        while let url = enumerator?.nextObject() as? URL {
            guard !url.hasDirectoryPath, let data = FileManager.default.contents(atPath: url.path) else { continue }
            let relative = String(url.standardizedFileURL.path.dropFirst(mappings.standardizedFileURL.path.count + 1))
            files[relative] = Array(data)
        }
        try edit(&files)
        let loaded = files.map { MappingFile(path: $0.key, bytes: $0.value) }.sorted { $0.path < $1.path }
        return Normaliser(mappings: try MappingSet.load(files: loaded))
    }

    /// Every sample scenario's steps (`service-line/NN-step.json`), scenario by scenario, in order.
    static var scenarioSteps: [String] {
        let samples = Self.root.appendingPathComponent("Samples")
        let folders = ((try? FileManager.default.contentsOfDirectory(atPath: samples.path)) ?? []).filter {
            FileManager.default.fileExists(atPath: samples.appendingPathComponent("\($0)/scenario.json").path)
        }
        return folders.sorted().flatMap { folder in
            ((try? FileManager.default.contentsOfDirectory(atPath: samples.appendingPathComponent(folder).path)) ?? [])
                .filter { $0.range(of: #"^\d\d-[a-z-]+\.json$"#, options: .regularExpression) != nil }
                .sorted().map { "\(folder)/\($0)" }
        }
    }

    /// The entries of a sample transaction Bundle as writes.
    static func writes(_ sample: String) throws -> [ResourceWrite] {
        let data = try Data(contentsOf: Self.root.appendingPathComponent("Samples/\(sample)"))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw StoreError(.invalidRequest, "\(sample) is not a resource")
        }
        let entries =
            object["resourceType"] as? String == "Bundle"
            ? object["entry"] as? [[String: Any]] ?? [] : [["resource": object]]
        var references: [String: String] = [:]
        for entry in entries {
            guard let fullUrl = entry["fullUrl"] as? String, let resource = entry["resource"] as? [String: Any],
                let type = resource["resourceType"] as? String, let id = resource["id"] as? String
            else { continue }
            references[fullUrl] = "\(type)/\(id)"
        }
        return try entries.compactMap { entry -> ResourceWrite? in
            guard let resource = entry["resource"] as? [String: Any], let type = resource["resourceType"] as? String,
                let id = resource["id"] as? String
            else { return nil }
            var text = String(decoding: try JSONSerialization.data(withJSONObject: resource), as: UTF8.self)
            for (fullUrl, reference) in references {
                text = text.replacingOccurrences(
                    of: fullUrl.replacingOccurrences(of: "/", with: "\\/"),
                    with: reference
                )
                text = text.replacingOccurrences(of: fullUrl, with: reference)
            }
            let element = try FHIRJSON.read(Array(text.utf8)).root
            return ResourceWrite(
                type: type,
                mode: .update(id: id, ifMatch: nil),
                content: Array(text.utf8),
                resource: element
            )
        }
    }
}
