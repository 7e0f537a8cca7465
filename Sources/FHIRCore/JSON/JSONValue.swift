/// A generic JSON value with the line and column where it starts, read by ``read(_:maxDepth:)``.
///
/// For hand-edited JSON that is not a FHIR resource (configuration, mapping rules), where every problem
/// must point at a line. Numbers keep their lexical form; objects keep their members in the order written,
/// duplicates included, so a checker can report them.
public struct JSONValue: Sendable, Hashable {
    /// What the value is.
    public enum Kind: Sendable, Hashable {
        case null
        case bool(Bool)
        /// The number as written (`30`, `1.5e3`).
        case number(String)
        case string(String)
        case array([JSONValue])
        /// Members in the order written; duplicates are kept so a checker can report them.
        case object([Member])
    }

    /// One `"key": value` pair of an object.
    public struct Member: Sendable, Hashable {
        public var key: String
        public var keyLocation: SourceLocation
        public var value: JSONValue

        public init(key: String, keyLocation: SourceLocation, value: JSONValue) {
            self.key = key
            self.keyLocation = keyLocation
            self.value = value
        }
    }

    public var kind: Kind
    public var location: SourceLocation

    public init(_ kind: Kind, at location: SourceLocation) {
        self.kind = kind
        self.location = location
    }

    /// The JSON type's name, for messages ("expected a string, found an array").
    public var typeName: String {
        switch self.kind {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    public var stringValue: String? {
        if case .string(let text) = self.kind { return text }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let items) = self.kind { return items }
        return nil
    }

    public var objectMembers: [Member]? {
        if case .object(let members) = self.kind { return members }
        return nil
    }

    /// The first member with the given key, when this is an object.
    public subscript(key: String) -> JSONValue? {
        self.objectMembers?.first { $0.key == key }?.value
    }
}
