/// Encodes `Encodable` values as compact JSON with object keys in byte order: the bytes Foundation's
/// `JSONEncoder` writes with `[.sortedKeys, .withoutEscapingSlashes]` and its default strategies.
///
/// Each value is written straight into its container's bytes as soon as its `encode(to:)` returns; only an
/// object's members wait, as byte ranges, to be put in key order when the object is finished. The output
/// is stable: the same value always encodes to the same bytes.
///
/// The JSON is Foundation's in these details: integers in decimal, a `Double` as its shortest round-trip
/// text without a trailing `.0` (`Date` therefore as seconds since 2001), `"`, `\` and control characters
/// escaped (`\b \t \n \f \r`, otherwise `\u00XX`), `/` and non-ASCII as is, nil members left out by
/// `encodeIfPresent` and written as `null` by `encodeNil`, and a value that encodes nothing as `{}`.
public struct SortedKeysJSONEncoder: Sendable {
    /// How to write a non-finite floating-point value; nil (the default) refuses it, as Foundation does.
    public var nonFiniteFloats: NonFiniteFloats?

    /// The strings written for infinities and NaN, as Foundation's `.convertToString` strategy.
    public struct NonFiniteFloats: Sendable {
        public var positiveInfinity: String
        public var negativeInfinity: String
        public var nan: String

        public init(positiveInfinity: String, negativeInfinity: String, nan: String) {
            self.positiveInfinity = positiveInfinity
            self.negativeInfinity = negativeInfinity
            self.nan = nan
        }
    }

    public init(nonFiniteFloats: NonFiniteFloats? = nil) {
        self.nonFiniteFloats = nonFiniteFloats
    }

    /// The JSON bytes of `value`.
    /// - Throws: `EncodingError.invalidValue` for a non-finite float without ``nonFiniteFloats``, or
    ///   whatever the value's own `encode(to:)` throws.
    public func encode(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONValueEncoder(options: self)
        try value.encode(to: encoder)
        var output: [UInt8] = []
        output.reserveCapacity(256)
        encoder.finish(into: &output)
        return output
    }
}

/// The `Encoder` for one value: it becomes an object, an array or a single value, depending on which
/// container its value asks for first.
final class JSONValueEncoder: Encoder, CodingPathLink {
    enum Content {
        case nothing
        case object(JSONObjectBuffer)
        case array(JSONArrayBuffer)
        case single([UInt8])
    }

    let options: SortedKeysJSONEncoder
    /// The encoder of the enclosing value and this value's key in it: the coding path is walked from them
    /// only when asked for (errors), so nesting a value builds no array of keys. Unowned: every encoder is
    /// used only while `encode(_:)` runs, and until then each parent is held by its own parent's buffer or
    /// by the call stack.
    unowned let parent: JSONValueEncoder?
    let key: (any CodingKey)?
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    var content = Content.nothing

    init(options: SortedKeysJSONEncoder) {
        self.options = options
        self.parent = nil
        self.key = nil
    }

    private init(parent: JSONValueEncoder, key: (any CodingKey)?) {
        self.options = parent.options
        self.parent = parent
        self.key = key
    }

    /// The encoder of the value at `key` (nil: a single value) inside this one.
    func nested(at key: (any CodingKey)?) -> JSONValueEncoder {
        JSONValueEncoder(parent: self, key: key)
    }

    var codingPath: [any CodingKey] { self.linkedCodingPath }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let object: JSONObjectBuffer
        if case .object(let existing) = self.content {
            object = existing
        } else {
            object = JSONObjectBuffer()
            self.content = .object(object)
        }
        return KeyedEncodingContainer(JSONKeyedContainer<Key>(encoder: self, object: object))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let array: JSONArrayBuffer
        if case .array(let existing) = self.content {
            array = existing
        } else {
            array = JSONArrayBuffer()
            self.content = .array(array)
        }
        return JSONUnkeyedContainer(encoder: self, array: array)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        JSONSingleValueContainer(encoder: self)
    }

    /// Appends the finished value's JSON.
    func finish(into output: inout [UInt8]) {
        switch self.content {
        case .nothing: output.append(contentsOf: [UInt8(ascii: "{"), UInt8(ascii: "}")])
        case .single(let bytes): output.append(contentsOf: bytes)
        case .object(let object): object.finish(into: &output)
        case .array(let array): array.finish(into: &output)
        }
    }

    /// Encodes a nested value and appends its JSON: scalars directly, anything else through its own
    /// encoder, which is complete once `encode(to:)` returns.
    func write<T: Encodable>(_ value: T, at key: (any CodingKey)?, into output: inout [UInt8]) throws {
        // Metatype checks first: cheaper than a dynamic cast of every value that is not a scalar.
        if T.self == String.self, let string = value as? String {
            JSONScalarText.string(string, into: &output)
        } else if T.self == Int.self, let int = value as? Int {
            JSONScalarText.integer(int, into: &output)
        } else if T.self == Double.self, let double = value as? Double {
            try self.float(double, at: key, into: &output)
        } else {
            let nested = self.nested(at: key)
            try value.encode(to: nested)
            nested.finish(into: &output)
        }
    }

    func float<F: BinaryFloatingPoint & LosslessStringConvertible>(
        _ value: F,
        at key: (any CodingKey)?,
        into output: inout [UInt8]
    ) throws {
        guard value.isFinite else {
            guard let text = self.options.nonFiniteFloats else {
                throw EncodingError.invalidValue(
                    value,
                    EncodingError.Context(
                        codingPath: self.path(key),
                        debugDescription: "\(value) is not a valid JSON number"
                    )
                )
            }
            let name =
                value.isNaN ? text.nan : value.sign == .minus ? text.negativeInfinity : text.positiveInfinity
            JSONScalarText.string(name, into: &output)
            return
        }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        output.append(contentsOf: text.utf8)
    }

    func path(_ key: (any CodingKey)?) -> [any CodingKey] {
        key.map { self.codingPath + [$0] } ?? self.codingPath
    }
}

/// An object under construction: each member's JSON in one buffer, ordered by key when finished.
final class JSONObjectBuffer {
    struct Member {
        var key: String
        var value: Range<Int>
    }

    var bytes: [UInt8] = []
    var members: [Member] = []
    /// Containers asked for with `nestedContainer` or `superEncoder`: filled after they are handed out,
    /// so written when the object is finished.
    var deferred: [(key: String, encoder: JSONValueEncoder)] = []

    func finish(into output: inout [UInt8]) {
        for (key, encoder) in self.deferred {
            let start = self.bytes.count
            encoder.finish(into: &self.bytes)
            self.members.append(Member(key: key, value: start..<self.bytes.count))
        }
        self.deferred = []
        // Stable, so of two members with one key the later one is last, and it is the one kept. Sorted by
        // index, so no member (and no key) is copied; skipped when the members came in key order.
        var order = Array(self.members.indices)
        let members = self.members
        func precedes(_ left: Int, _ right: Int) -> Bool {
            let (a, b) = (members[left].key, members[right].key)
            if a == b { return left < right }
            return a.utf8.lexicographicallyPrecedes(b.utf8)
        }
        if !order.indices.dropFirst().allSatisfy({ precedes(order[$0 - 1], order[$0]) }) {
            order.sort(by: precedes)
        }
        let ordered = order.lazy.map { members[$0] }
        output.append(UInt8(ascii: "{"))
        var first = true
        for (index, member) in ordered.enumerated() {
            if index + 1 < ordered.count, ordered[index + 1].key == member.key { continue }
            if !first { output.append(UInt8(ascii: ",")) }
            first = false
            JSONScalarText.string(member.key, into: &output)
            output.append(UInt8(ascii: ":"))
            output.append(contentsOf: self.bytes[member.value])
        }
        output.append(UInt8(ascii: "}"))
    }
}

/// An array under construction: elements are written in order as they come, except nested containers
/// handed out, which are written at their place when the array is finished.
final class JSONArrayBuffer {
    enum Item {
        case written(Range<Int>)
        case deferred(JSONValueEncoder)
    }

    var bytes: [UInt8] = []
    var elements: [Item] = []

    var count: Int { self.elements.count }

    func finish(into output: inout [UInt8]) {
        output.append(UInt8(ascii: "["))
        for (index, element) in self.elements.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            switch element {
            case .written(let range): output.append(contentsOf: self.bytes[range])
            case .deferred(let encoder): encoder.finish(into: &output)
            }
        }
        output.append(UInt8(ascii: "]"))
    }
}
