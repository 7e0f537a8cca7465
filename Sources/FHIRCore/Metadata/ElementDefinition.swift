/// What R4 says about one element of a type: name, cardinality, allowed types, binding and how it is
/// represented in XML.
public struct ElementDefinition: Sendable, Hashable {
    /// How the element appears in XML; JSON writes all of them as properties.
    public enum Representation: Sendable, Hashable {
        /// A child element (the common case).
        case element
        /// An XML attribute: `Element.id` and `Extension.url`. In JSON a plain property without `_x`.
        case attribute
        /// The narrative `div`: XHTML markup in the XHTML namespace (JSON: a string).
        case xhtml
    }

    /// The name without `[x]`: `value` for `Observation.value[x]`.
    public let name: String
    public let min: Int
    /// Upper cardinality; `Int.max` for `*`.
    public let max: Int
    /// Allowed types, in definition order; more than one for a choice element.
    public let types: [String]
    /// The value set of a required binding, when the element is a bound `code` (`RequestStatus`).
    public let requiredValueSet: String?
    public let representation: Representation
    /// Position in the owning type's element list: the order both formats write in.
    public let order: Int

    /// Whether this is a choice element (`value[x]`), written with its type as a suffix.
    public var isChoice: Bool { self.types.count > 1 }

    /// Whether the element repeats (JSON writes an array even for one occurrence).
    public var isRepeating: Bool { self.max > 1 }

    /// The name on the wire for an occurrence of the given type: `valueQuantity`, or just `name`.
    public func wireName(for type: String) -> String {
        guard self.isChoice else { return self.name }
        return self.name + Self.choiceSuffix(type)
    }

    /// `dateTime` → `DateTime`, `Quantity` → `Quantity`.
    static func choiceSuffix(_ type: String) -> String {
        guard let first = type.first else { return type }
        return first.uppercased() + type.dropFirst()
    }
}
