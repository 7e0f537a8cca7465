import Foundation

/// Where the embedded database lives, parsed from the configuration's store URL.
public enum StoreLocation: Sendable, Hashable, CustomStringConvertible {
    /// A database file; relative paths are relative to the working directory.
    case file(String)
    /// A private in-memory database, gone when the store closes (tests).
    case memory

    /// Parses `sqlite:./data/tandem.sqlite`, `sqlite:///var/lib/tandem/tandem.sqlite` or `sqlite::memory:`.
    ///
    /// - Throws: ``StoreError/Code/invalidRequest`` for another scheme or an empty path.
    public init(url: String) throws(StoreError) {
        guard url.hasPrefix("sqlite:") else {
            throw StoreError(.invalidRequest, "unsupported store URL scheme (expected sqlite:PATH)")
        }
        var path = String(url.dropFirst("sqlite:".count))
        if path == ":memory:" {
            self = .memory
            return
        }
        // sqlite:///abs/path is the URL spelling of an absolute path.
        if path.hasPrefix("//") { path = String(path.dropFirst(2)) }
        guard !path.isEmpty else { throw StoreError(.invalidRequest, "the store URL names no file") }
        self = .file(path)
    }

    var path: String {
        switch self {
        case .file(let path): path
        case .memory: ":memory:"
        }
    }

    var isMemory: Bool { self == .memory }

    public var description: String { "sqlite:" + self.path }

    /// Creates the directory that will hold the database file.
    func createDirectory() throws(StoreError) {
        guard case .file(let path) = self else { return }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw StoreError(.io, "cannot create the directory \(directory.path): \(error)")
        }
    }
}
