/// Builds FHIRPath-style locations (`Bundle.entry[2].resource.name[0].given[1]`) while a reader or the
/// validator walks a tree; the string is made only when an issue needs it.
///
/// Repeating elements carry their index; single ones do not, as in HAPI's and the validator's output.
public struct ElementPath: Sendable {
    private var segments: [(name: String, index: Int?)] = []

    public init(root: String) {
        self.segments = [(root, nil)]
    }

    public mutating func push(_ name: String, index: Int? = nil) {
        self.segments.append((name, index))
    }

    public mutating func pop() {
        self.segments.removeLast()
    }

    public var depth: Int { self.segments.count }

    /// The path with a further child appended, without changing this one.
    public func appending(_ name: String, index: Int? = nil) -> String {
        var copy = self
        copy.push(name, index: index)
        return copy.description
    }
}

extension ElementPath: CustomStringConvertible {
    public var description: String {
        var text = ""
        for (offset, segment) in self.segments.enumerated() {
            if offset > 0 { text += "." }
            text += segment.name
            if let index = segment.index { text += "[\(index)]" }
        }
        return text
    }
}
