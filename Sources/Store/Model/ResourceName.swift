/// A resource named by its type and an id: the gateway's id, or an id one sender gave it.
public struct ResourceName: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var type: String
    public var id: String

    public init(type: String, id: String) {
        self.type = type
        self.id = id
    }

    /// `Type/id`.
    public var description: String { "\(self.type)/\(self.id)" }

    public static func < (lhs: ResourceName, rhs: ResourceName) -> Bool {
        (lhs.type, lhs.id) < (rhs.type, rhs.id)
    }
}

/// What the store knows of the names one sender's message uses, for planning its writes and references
/// (the server's `SenderNamespace` decides with it; the writer checks again inside the commit).
public struct NameLookup: Sendable, Hashable {
    /// Names the sender has used as its own ids → the gateway's id of the resource each stands for.
    public var aliases: [ResourceName: String]
    /// Names that are gateway ids of existing resources → the sender that owns each.
    public var owners: [ResourceName: String]

    public init(aliases: [ResourceName: String] = [:], owners: [ResourceName: String] = [:]) {
        self.aliases = aliases
        self.owners = owners
    }
}
