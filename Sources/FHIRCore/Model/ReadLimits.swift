/// Bounds on what a reader accepts, so hostile input costs bounded memory and time.
public struct ReadLimits: Sendable, Hashable {
    /// Largest input accepted, in bytes.
    public var maxBytes: Int
    /// Deepest nesting of objects, arrays or elements.
    public var maxDepth: Int
    /// Most elements (tree nodes) in one message.
    public var maxElements: Int

    public init(maxBytes: Int = 32 << 20, maxDepth: Int = 128, maxElements: Int = 2_000_000) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
        self.maxElements = maxElements
    }

    public static let `default` = ReadLimits()
}
