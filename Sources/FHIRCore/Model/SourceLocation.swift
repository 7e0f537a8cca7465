/// A position in the input: 1-based line and column, or zero for a tree that was built, not read.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var line: Int32
    public var column: Int32

    public init(line: Int, column: Int) {
        self.line = Int32(clamping: line)
        self.column = Int32(clamping: column)
    }

    /// The location of nodes that were not read from text.
    public static let unknown = SourceLocation(line: 0, column: 0)

    public var isKnown: Bool { self.line > 0 }

    public var description: String { self.isKnown ? "line \(self.line), column \(self.column)" : "unknown position" }
}
