public import FHIRCore

/// One file of the `Mappings/` directory as the caller read it: its path relative to `Mappings/`
/// (`service-lines/ophthalmology.cataract.json`) and its bytes.
///
/// ``MappingSet/load(files:)`` does no I/O; the executable reads the directory and hands the files in.
public struct MappingFile: Sendable, Hashable, CustomStringConvertible {
    /// Path relative to the mappings directory, with `/` separators.
    public var path: String
    public var bytes: [UInt8]

    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
    }

    /// The path and size, not the bytes: keeps test failures and logs readable.
    public var description: String { "\(self.path) (\(self.bytes.count) bytes)" }
}

/// A problem found while loading the mappings, with the file and position it concerns.
public struct MappingProblem: Sendable, Hashable, CustomStringConvertible {
    /// Errors stop the mappings from loading; warnings are reported and loading goes on.
    public enum Severity: String, Sendable, Hashable {
        case error, warning
    }

    public var severity: Severity
    /// Path relative to the mappings directory.
    public var file: String
    /// 1-based line, or 0 when the problem concerns the whole file or set.
    public var line: Int
    public var column: Int
    public var message: String

    public init(_ severity: Severity = .error, file: String, at location: SourceLocation = .unknown, _ message: String)
    {
        self.severity = severity
        self.file = file
        self.line = Int(location.line)
        self.column = Int(location.column)
        self.message = message
    }

    /// `file:line:column: severity: message`, the form compilers and editors understand.
    public var description: String {
        let position = self.line > 0 ? ":\(self.line):\(self.column)" : ""
        return "\(self.file)\(position): \(self.severity.rawValue): \(self.message)"
    }
}

/// Every problem that stopped the mappings from loading (and the warnings found with them).
public struct MappingErrors: Error, Sendable, Hashable, CustomStringConvertible {
    public var problems: [MappingProblem]

    public init(problems: [MappingProblem]) {
        self.problems = problems
    }

    public var description: String { self.problems.map(\.description).joined(separator: "\n") }
}
