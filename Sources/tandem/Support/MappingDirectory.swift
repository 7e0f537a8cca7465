import ArgumentParser
import CoManagement
import Foundation

/// Reads a `Mappings/` directory into the ``MappingFile`` values the pure loader takes: the file I/O the
/// co-management target leaves to the executable.
enum MappingDirectory {
    /// Every file under `path`, with paths relative to it, sorted.
    static func files(at path: String) throws -> [MappingFile] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("Mappings directory '\(path)' does not exist")
        }
        let base = URL(fileURLWithPath: path).standardizedFileURL.path
        var files: [MappingFile] = []
        for relative in FileManager.default.subpaths(atPath: base) ?? [] {
            let full = base + "/" + relative
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue else {
                continue
            }
            files.append(MappingFile(path: relative, bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: full)))))
        }
        return files.sorted { $0.path < $1.path }
    }

    /// The loaded mappings; problems are printed to standard error, one per line, and end the command.
    static func load(at path: String) throws -> MappingSet {
        do {
            return try MappingSet.load(files: self.files(at: path))
        } catch let errors as MappingErrors {
            for problem in errors.problems { FileHandle.standardError.write(Data("\(path)/\(problem)\n".utf8)) }
            throw ExitCode(1)
        }
    }
}
