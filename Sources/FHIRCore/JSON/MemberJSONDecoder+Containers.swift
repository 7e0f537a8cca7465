/// The containers of ``MemberJSONDecoder``: an object's located members, decoded on demand, and an array's
/// located elements, decoded in order.
struct MemberJSONKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: MemberJSONValueDecoder
    /// Each member's key and where its value starts, in document order (keys are unique: checked).
    let members: [(key: String, value: Int)]
    /// Where each member's value starts, by key, for an object too large to search: a dictionary decoded
    /// from a book of thousands of episodes looks up every one of its keys.
    private let index: [String: Int]?

    /// Objects up to this many members are searched in order: a typed value's handful of keys are short
    /// strings, compared faster than hashed.
    private static var searchedMembers: Int { 16 }

    init(decoder: MemberJSONValueDecoder, members: [(key: String, value: Int)]) {
        self.decoder = decoder
        self.members = members
        self.index =
            members.count > Self.searchedMembers
            ? Dictionary(members.lazy.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first }) : nil
    }

    var codingPath: [any CodingKey] { self.decoder.codingPath }

    var allKeys: [Key] { self.members.compactMap { Key(stringValue: $0.key) } }

    func contains(_ key: Key) -> Bool { self.offset(of: key) != nil }

    private func offset(of key: Key) -> Int? {
        let name = key.stringValue
        if let index = self.index { return index[name] }
        for member in self.members where member.key == name { return member.value }
        return nil
    }

    /// The decoder of the member named by `key`.
    private func value(_ key: Key) throws -> MemberJSONValueDecoder {
        guard let offset = self.offset(of: key) else { throw self.keyNotFound(key) }
        return self.decoder.child(at: offset, key: key)
    }

    private func keyNotFound(_ key: Key) -> DecodingError {
        .keyNotFound(
            key,
            DecodingError.Context(codingPath: self.codingPath, debugDescription: "no member \"\(key.stringValue)\"")
        )
    }

    /// The scalar member named by `key`, read in place.
    private func scalar(_ key: Key) throws -> MemberJSONValue {
        guard let offset = self.offset(of: key) else { throw self.keyNotFound(key) }
        return MemberJSONValue(bytes: self.decoder.bytes, offset: offset)
    }

    private func path(_ key: Key) -> () -> [any CodingKey] { { self.codingPath + [key] } }

    func decodeNil(forKey key: Key) throws -> Bool { try self.scalar(key).isNull }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try self.scalar(key).bool(path: self.path(key)) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        try self.scalar(key).string(path: self.path(key))
    }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
        try self.scalar(key).float(type, path: self.path(key))
    }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float {
        try self.scalar(key).float(type, path: self.path(key))
    }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int {
        try self.scalar(key).integer(type, path: self.path(key))
    }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 {
        try self.scalar(key).integer(type, path: self.path(key))
    }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 {
        try self.scalar(key).integer(type, path: self.path(key))
    }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 {
        try self.scalar(key).integer(type, path: self.path(key))
    }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 {
        try self.scalar(key).integer(type, path: self.path(key))
    }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt {
        try self.scalar(key).integer(type, path: self.path(key))
    }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 {
        try self.scalar(key).integer(type, path: self.path(key))
    }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 {
        try self.scalar(key).integer(type, path: self.path(key))
    }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 {
        try self.scalar(key).integer(type, path: self.path(key))
    }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 {
        try self.scalar(key).integer(type, path: self.path(key))
    }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try self.value(key).decode(type) }

    /// A member that is absent or `null` is nil, as Foundation's.
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let offset = self.offset(of: key) else { return nil }
        if MemberJSONValue(bytes: self.decoder.bytes, offset: offset).isNull { return nil }
        return try self.decoder.child(at: offset, key: key).decode(type)
    }

    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        guard let offset = self.offset(of: key) else { return nil }
        let value = MemberJSONValue(bytes: self.decoder.bytes, offset: offset)
        return value.isNull ? nil : try value.string(path: self.path(key))
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type,
        forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try self.value(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try self.value(key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { try self.value(Key(stringValue: "super")!) }

    func superDecoder(forKey key: Key) throws -> any Decoder { try self.value(key) }
}

struct MemberJSONUnkeyedContainer: UnkeyedDecodingContainer {
    let decoder: MemberJSONValueDecoder
    /// Where each element starts.
    let elements: [Int]
    private(set) var currentIndex = 0

    init(decoder: MemberJSONValueDecoder, elements: [Int]) {
        self.decoder = decoder
        self.elements = elements
    }

    var codingPath: [any CodingKey] { self.decoder.codingPath }
    var count: Int? { self.elements.count }
    var isAtEnd: Bool { self.currentIndex >= self.elements.count }

    /// The decoder of the next element; moves past it only once it has decoded (as Foundation's).
    private func next<T>(_ type: T.Type) throws -> MemberJSONValueDecoder {
        guard !self.isAtEnd else {
            throw DecodingError.valueNotFound(
                type,
                DecodingError.Context(
                    codingPath: self.codingPath + [ElementIndex(self.currentIndex)],
                    debugDescription: "the array has only \(self.elements.count) elements"
                )
            )
        }
        return self.decoder.child(at: self.elements[self.currentIndex], key: ElementIndex(self.currentIndex))
    }

    private mutating func decoded<T>(_ value: T) -> T {
        self.currentIndex += 1
        return value
    }

    mutating func decodeNil() throws -> Bool {
        guard try self.next(Never.self).decodeNil() else { return false }
        self.currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { self.decoded(try self.next(type).decode(type)) }
    mutating func decode(_ type: String.Type) throws -> String { self.decoded(try self.next(type).decode(type)) }
    mutating func decode(_ type: Double.Type) throws -> Double { self.decoded(try self.next(type).decode(type)) }
    mutating func decode(_ type: Float.Type) throws -> Float { self.decoded(try self.next(type).decode(type)) }
    mutating func decode(_ type: Int.Type) throws -> Int { self.decoded(try self.next(type).decode(type)) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { self.decoded(try self.next(type).decode(type)) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { self.decoded(try self.next(type).decode(type)) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { self.decoded(try self.next(type).decode(type)) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { self.decoded(try self.next(type).decode(type)) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { self.decoded(try self.next(type).decode(type)) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { self.decoded(try self.next(type).decode(type)) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { self.decoded(try self.next(type).decode(type)) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { self.decoded(try self.next(type).decode(type)) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { self.decoded(try self.next(type).decode(type)) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { self.decoded(try self.next(type).decode(type)) }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws -> KeyedDecodingContainer<NestedKey> {
        self.decoded(try self.next(KeyedDecodingContainer<NestedKey>.self).container(keyedBy: type))
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        self.decoded(try self.next((any UnkeyedDecodingContainer).self).unkeyedContainer())
    }

    mutating func superDecoder() throws -> any Decoder {
        self.decoded(try self.next((any Decoder).self))
    }
}

/// An array element's place in a coding path.
struct ElementIndex: CodingKey {
    var intValue: Int?
    var stringValue: String { "Index \(self.intValue ?? 0)" }

    init(_ index: Int) { self.intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}
