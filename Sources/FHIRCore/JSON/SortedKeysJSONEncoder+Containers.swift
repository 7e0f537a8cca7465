/// The three containers of ``SortedKeysJSONEncoder``. Each writes a member's or element's JSON into its
/// buffer as soon as it is encoded; nested containers handed out are finished with their parent.

struct JSONKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: JSONValueEncoder
    let object: JSONObjectBuffer

    var codingPath: [any CodingKey] { self.encoder.codingPath }

    private func member(_ key: Key, _ write: (inout [UInt8]) throws -> Void) rethrows {
        let start = self.object.bytes.count
        try write(&self.object.bytes)
        self.object.members.append(
            JSONObjectBuffer.Member(key: key.stringValue, value: start..<self.object.bytes.count)
        )
    }

    mutating func encodeNil(forKey key: Key) throws {
        self.member(key) { $0.append(contentsOf: JSONScalarText.null) }
    }

    mutating func encode(_ value: Bool, forKey key: Key) throws {
        self.member(key) { $0.append(contentsOf: value ? JSONScalarText.true : JSONScalarText.false) }
    }

    mutating func encode(_ value: String, forKey key: Key) throws {
        self.member(key) { JSONScalarText.string(value, into: &$0) }
    }

    mutating func encode(_ value: Double, forKey key: Key) throws {
        try self.member(key) { try self.encoder.float(value, at: key, into: &$0) }
    }

    mutating func encode(_ value: Float, forKey key: Key) throws {
        try self.member(key) { try self.encoder.float(value, at: key, into: &$0) }
    }

    mutating func encode(_ value: Int, forKey key: Key) throws { self.integer(value, key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { self.integer(value, key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { self.integer(value, key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { self.integer(value, key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { self.integer(value, key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { self.integer(value, key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { self.integer(value, key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { self.integer(value, key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { self.integer(value, key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { self.integer(value, key) }

    private func integer(_ value: some BinaryInteger, _ key: Key) {
        self.member(key) { JSONScalarText.integer(value, into: &$0) }
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try self.member(key) { try self.encoder.write(value, at: key, into: &$0) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type,
        forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        self.deferred(key).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        self.deferred(key).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        self.deferred(JSONIndexKey(stringValue: "super"))
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        self.deferred(key)
    }

    private func deferred(_ key: some CodingKey) -> JSONValueEncoder {
        let nested = self.encoder.nested(at: key)
        self.object.deferred.append((key.stringValue, nested))
        return nested
    }
}

struct JSONUnkeyedContainer: UnkeyedEncodingContainer, JSONIntegerWriting {
    let encoder: JSONValueEncoder
    let array: JSONArrayBuffer

    var codingPath: [any CodingKey] { self.encoder.codingPath }
    var count: Int { self.array.count }

    private func element(_ write: (inout [UInt8]) throws -> Void) rethrows {
        let start = self.array.bytes.count
        try write(&self.array.bytes)
        self.array.elements.append(.written(start..<self.array.bytes.count))
    }

    private var nextKey: JSONIndexKey { JSONIndexKey(index: self.array.count) }

    mutating func encodeNil() throws { self.element { $0.append(contentsOf: JSONScalarText.null) } }

    mutating func encode(_ value: Bool) throws {
        self.element { $0.append(contentsOf: value ? JSONScalarText.true : JSONScalarText.false) }
    }

    mutating func encode(_ value: String) throws { self.element { JSONScalarText.string(value, into: &$0) } }

    mutating func encode(_ value: Double) throws {
        let key = self.nextKey
        try self.element { try self.encoder.float(value, at: key, into: &$0) }
    }

    mutating func encode(_ value: Float) throws {
        let key = self.nextKey
        try self.element { try self.encoder.float(value, at: key, into: &$0) }
    }

    func integer(_ value: some BinaryInteger) {
        self.element { JSONScalarText.integer(value, into: &$0) }
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let key = self.nextKey
        try self.element { try self.encoder.write(value, at: key, into: &$0) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    ) -> KeyedEncodingContainer<NestedKey> {
        self.deferred().container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        self.deferred().unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        self.deferred()
    }

    private func deferred() -> JSONValueEncoder {
        let nested = self.encoder.nested(at: self.nextKey)
        self.array.elements.append(.deferred(nested))
        return nested
    }
}

struct JSONSingleValueContainer: SingleValueEncodingContainer, JSONIntegerWriting {
    let encoder: JSONValueEncoder

    var codingPath: [any CodingKey] { self.encoder.codingPath }

    private func value(_ write: (inout [UInt8]) throws -> Void) rethrows {
        var bytes: [UInt8] = []
        try write(&bytes)
        self.encoder.content = .single(bytes)
    }

    mutating func encodeNil() throws { self.value { $0.append(contentsOf: JSONScalarText.null) } }

    mutating func encode(_ value: Bool) throws {
        self.value { $0.append(contentsOf: value ? JSONScalarText.true : JSONScalarText.false) }
    }

    mutating func encode(_ value: String) throws { self.value { JSONScalarText.string(value, into: &$0) } }
    mutating func encode(_ value: Double) throws {
        try self.value { try self.encoder.float(value, at: nil, into: &$0) }
    }
    mutating func encode(_ value: Float) throws { try self.value { try self.encoder.float(value, at: nil, into: &$0) } }
    func integer(_ value: some BinaryInteger) {
        self.value { JSONScalarText.integer(value, into: &$0) }
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try self.value { try self.encoder.write(value, at: nil, into: &$0) }
    }
}

/// The integer requirements the unkeyed and single-value containers share, written alike.
protocol JSONIntegerWriting {
    func integer(_ value: some BinaryInteger)
}

extension JSONIntegerWriting {
    mutating func encode(_ value: Int) throws { self.integer(value) }
    mutating func encode(_ value: Int8) throws { self.integer(value) }
    mutating func encode(_ value: Int16) throws { self.integer(value) }
    mutating func encode(_ value: Int32) throws { self.integer(value) }
    mutating func encode(_ value: Int64) throws { self.integer(value) }
    mutating func encode(_ value: UInt) throws { self.integer(value) }
    mutating func encode(_ value: UInt8) throws { self.integer(value) }
    mutating func encode(_ value: UInt16) throws { self.integer(value) }
    mutating func encode(_ value: UInt32) throws { self.integer(value) }
    mutating func encode(_ value: UInt64) throws { self.integer(value) }
}

/// The coding key of an array element, or of `super`.
struct JSONIndexKey: CodingKey {
    var stringValue: String
    var intValue: Int?

    init(stringValue: String) {
        self.stringValue = stringValue
        self.intValue = nil
    }

    init(intValue: Int) {
        self.stringValue = "Index \(intValue)"
        self.intValue = intValue
    }

    init(index: Int) { self.init(intValue: index) }
}

/// The JSON text of scalars, as Foundation's `JSONEncoder` writes them.
enum JSONScalarText {
    static let null = Array("null".utf8)
    static let `true` = Array("true".utf8)
    static let `false` = Array("false".utf8)

    static func integer(_ value: some BinaryInteger, into output: inout [UInt8]) {
        output.append(contentsOf: String(value).utf8)
    }

    /// A quoted string: `"` and `\` escaped, `\b \t \n \f \r`, other control characters as `\u00XX`,
    /// everything else (`/` and non-ASCII included) as its UTF-8. Runs that need no escape are copied
    /// whole.
    static func string(_ value: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            var runStart = 0
            for index in utf8.indices {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                runStart = index + 1
                Self.escape(byte, into: &output)
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        output.append(UInt8(ascii: "\""))
    }

    private static func escape(_ byte: UInt8, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): output.append(byte)
        case 0x08: output.append(UInt8(ascii: "b"))
        case 0x09: output.append(UInt8(ascii: "t"))
        case 0x0A: output.append(UInt8(ascii: "n"))
        case 0x0C: output.append(UInt8(ascii: "f"))
        case 0x0D: output.append(UInt8(ascii: "r"))
        default:
            let digit = byte & 0xF
            output.append(contentsOf: "u00".utf8)
            output.append(UInt8(ascii: "0") + (byte >> 4))
            output.append(digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10)
        }
    }
}
