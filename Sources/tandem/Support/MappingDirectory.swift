import ArgumentParser
import CoManagement
import Crypto
import Foundation

/// Reads a `Mappings/` directory into the ``MappingFile`` values the pure loader takes: the file I/O the
/// co-management target leaves to the executable.
enum MappingDirectory {
    /// Loaded mappings with the version that names their files' exact content.
    struct Loaded: Sendable {
        var mappings: MappingSet
        /// 16 hexadecimal digits of a SHA-256 over every file's path and bytes: two gateways run the same
        /// mappings exactly when their versions are equal.
        var version: String
    }

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
        try self.loadVersioned(at: path).mappings
    }

    /// The loaded mappings and their version; problems are printed as ``load(at:)`` prints them.
    static func loadVersioned(at path: String) throws -> Loaded {
        let files = try self.files(at: path)
        do {
            return Loaded(mappings: try MappingSet.load(files: files), version: self.version(of: files))
        } catch {
            for problem in error.problems { FileHandle.standardError.write(Data("\(path)/\(problem)\n".utf8)) }
            throw ExitCode(1)
        }
    }

    /// The version of `files`: each path, its length and its bytes, in path order, hashed together.
    static func version(of files: [MappingFile]) -> String {
        var hash = SHA256()
        for file in files.sorted(by: { $0.path < $1.path }) {
            hash.update(data: Array(file.path.utf8) + [0])
            hash.update(data: Array(String(file.bytes.count).utf8) + [0])
            hash.update(data: file.bytes)
        }
        return hash.finalize().prefix(8).map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined()
    }
}
