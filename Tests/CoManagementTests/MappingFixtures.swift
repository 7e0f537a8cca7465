import CoManagement
import Foundation

/// Reads the shipped `Mappings/` directory of this checkout, as the executable would.
enum MappingFixtures {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var directory: URL { root.appendingPathComponent("Mappings") }

    /// Every file under `Mappings/`, with paths relative to it.
    static func shippedFiles() throws -> [MappingFile] {
        let base = directory.standardizedFileURL.path
        guard let walker = FileManager.default.enumerator(atPath: base) else { return [] }
        var files: [MappingFile] = []
        while let relative = walker.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let full = base + "/" + relative
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue else {
                continue
            }
            let data = try Data(contentsOf: URL(fileURLWithPath: full))
            files.append(MappingFile(path: relative, bytes: Array(data)))
        }
        return files.sorted { $0.path < $1.path }
    }

    /// The shipped mappings, loaded; tests that need them fail loudly if they do not load.
    static func shipped() throws -> MappingSet {
        try MappingSet.load(files: shippedFiles())
    }

    /// The shipped files with one replaced (or added).
    static func replacing(_ path: String, with text: String) throws -> [MappingFile] {
        var files = try shippedFiles().filter { $0.path != path }
        files.append(MappingFile(path: path, bytes: Array(text.utf8)))
        return files
    }

    static func text(of path: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(path), encoding: .utf8)
    }
}
