/// Decodes `Decodable` values from JSON bytes: the counterpart of ``SortedKeysJSONEncoder``, giving what
/// Foundation's `JSONDecoder` gives with its default strategies for the values that encoder writes.
///
/// It works on the bytes in place:
/// - opening an object locates its members (each key and where its value starts) in one pass, and a member
///   is decoded only when asked for, so a caller that reads one member of a large object pays for that
///   member, not for the others;
/// - the whole document is checked first, once, by ``JSONScanner`` (syntax, UTF-8, duplicate keys), so it
///   decodes only if all of it is RFC 8259 JSON (Foundation's decoder lets a trailing comma, a duplicate
///   key, a leading zero or an unknown escape through); members passed over are then only skipped;
/// - strings, numbers and literals are read straight from the input by ``JSONScanner``.
///
/// Values decode by their own `init(from:)`: a `Date` from seconds since 2001 (Foundation's
/// `deferredToDate`), as ``SortedKeysJSONEncoder`` writes it. Errors are `DecodingError`s with the coding
/// path, as Foundation's.
public struct MemberJSONDecoder: Sendable {
    /// Nesting allowed below the top-level value.
    public var maxDepth: Int

    public init(maxDepth: Int = 512) {
        self.maxDepth = maxDepth
    }

    /// Decodes a `T` from one JSON document (surrounding whitespace allowed).
    public func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try bytes.withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(buffer)
            scanner.skipWhitespace()
            let start = scanner.position
            do {
                try scanner.skipValue(depth: 0, maxDepth: self.maxDepth)
                scanner.skipWhitespace()
                guard scanner.isAtEnd else { throw scanner.failure("unexpected text after the JSON value") }
            } catch {
                throw DecodingError.dataCorrupted(
                    DecodingError.Context(codingPath: [], debugDescription: "not JSON: \(error)")
                )
            }
            // The decoders hold the borrowed buffer: none outlives this call, unless a type's `init(from:)`
            // keeps its decoder, which no Decodable does.
            let decoder = MemberJSONValueDecoder(buffer, at: start, parent: nil, key: nil)
            return try decoder.decode(T.self)
        }
    }
}

/// The `Decoder` of one value that starts at `offset`; the whole document was checked before any decoder
/// is made, so reading a value can fail only on its kind, never on its syntax.
final class MemberJSONValueDecoder: Decoder, SingleValueDecodingContainer, CodingPathLink {
    let bytes: UnsafeBufferPointer<UInt8>
    let offset: Int
    /// The decoder of the enclosing value and this value's key in it (``CodingPathLink``).
    let parent: MemberJSONValueDecoder?
    let key: (any CodingKey)?

    init(
        _ bytes: UnsafeBufferPointer<UInt8>,
        at offset: Int,
        parent: MemberJSONValueDecoder?,
        key: (any CodingKey)?
    ) {
        self.bytes = bytes
        self.offset = offset
        self.parent = parent
        self.key = key
    }

    var codingPath: [any CodingKey] { self.linkedCodingPath }

    var userInfo: [CodingUserInfoKey: Any] { [:] }

    /// The decoder of a value inside this one.
    func child(at offset: Int, key: any CodingKey) -> MemberJSONValueDecoder {
        MemberJSONValueDecoder(self.bytes, at: offset, parent: self, key: key)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(MemberJSONKeyedContainer<Key>(decoder: self, members: try self.members()))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        MemberJSONUnkeyedContainer(decoder: self, elements: try self.elements())
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    // MARK: Locating members and elements

    /// The members of the object at ``offset``: each key with where its value starts, in document order.
    func members() throws -> [(key: String, value: Int)] {
        guard self.bytes[self.offset] == .openBrace else {
            throw self.mismatch([String: Any].self, expected: "an object")
        }
        var members: [(key: String, value: Int)] = []
        try self.walkItems(closing: .closeBrace) { (scanner) throws(Outcome) in
            let key = try scanner.readString()
            scanner.skipWhitespace()
            try scanner.expect(.colon, "':'")
            scanner.skipWhitespace()
            members.append((key, scanner.position))
            scanner.skipCheckedValue()
        }
        return members
    }

    /// Where each element of the array at ``offset`` starts.
    func elements() throws -> [Int] {
        guard self.bytes[self.offset] == .openBracket else { throw self.mismatch([Any].self, expected: "an array") }
        var elements: [Int] = []
        try self.walkItems(closing: .closeBracket) { (scanner) throws(Outcome) in
            elements.append(scanner.position)
            scanner.skipCheckedValue()
        }
        return elements
    }

    /// Walks the items of the object or array that opens at ``offset``: `item` is called at the start of
    /// each (a key, or an element) and must move past it.
    private func walkItems(
        closing close: UInt8,
        _ item: (inout JSONScanner) throws(Outcome) -> Void
    ) throws {
        var scanner = JSONScanner(self.bytes)
        scanner.position = self.offset + 1
        do {
            scanner.skipWhitespace()
            if scanner.current == close {
                return
            }
            while true {
                scanner.skipWhitespace()
                try item(&scanner)
                scanner.skipWhitespace()
                guard scanner.current == .comma else { break }
                scanner.position += 1
            }
            try scanner.expect(close, close == .closeBrace ? "',' or '}'" : "',' or ']'")
        } catch {
            // Checked before: unreachable unless the buffer changed underneath.
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: self.codingPath, debugDescription: "not JSON: \(error)")
            )
        }
    }

    // MARK: Single values

    var value: MemberJSONValue { MemberJSONValue(bytes: self.bytes, offset: self.offset) }

    func decodeNil() -> Bool { self.value.isNull }
    func decode(_ type: Bool.Type) throws -> Bool { try self.value.bool { self.codingPath } }
    func decode(_ type: String.Type) throws -> String { try self.value.string { self.codingPath } }
    func decode(_ type: Double.Type) throws -> Double { try self.value.float(type) { self.codingPath } }
    func decode(_ type: Float.Type) throws -> Float { try self.value.float(type) { self.codingPath } }
    func decode(_ type: Int.Type) throws -> Int { try self.value.integer(type) { self.codingPath } }
    func decode(_ type: Int8.Type) throws -> Int8 { try self.value.integer(type) { self.codingPath } }
    func decode(_ type: Int16.Type) throws -> Int16 { try self.value.integer(type) { self.codingPath } }
    func decode(_ type: Int32.Type) throws -> Int32 { try self.value.integer(type) { self.codingPath } }
    func decode(_ type: Int64.Type) throws -> Int64 { try self.value.integer(type) { self.codingPath } }
    func decode(_ type: UInt.Type) throws -> UInt { try self.value.integer(type) { self.codingPath } }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try self.value.integer(type) { self.codingPath } }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try self.value.integer(type) { self.codingPath } }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try self.value.integer(type) { self.codingPath } }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try self.value.integer(type) { self.codingPath } }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        // The primitives by their overloads, so a generic caller (an array's elements) reads them in place.
        switch type {
        case is String.Type: return try self.decode(String.self) as! T
        case is Int.Type: return try self.decode(Int.self) as! T
        case is Bool.Type: return try self.decode(Bool.self) as! T
        case is Double.Type: return try self.decode(Double.self) as! T
        case is Int64.Type: return try self.decode(Int64.self) as! T
        default: return try T(from: self)
        }
    }

    func mismatch<T>(_ type: T.Type, expected: String) -> DecodingError {
        self.value.mismatch(type, expected: expected, at: self.codingPath)
    }
}

/// One checked scalar value in place: read without a decoder of its own, so an object's strings and
/// numbers cost no allocation beyond the value itself. `path` is called only to report an error.
struct MemberJSONValue {
    let bytes: UnsafeBufferPointer<UInt8>
    let offset: Int

    var isNull: Bool { self.bytes[self.offset] == UInt8(ascii: "n") }

    func bool(path: () -> [any CodingKey]) throws -> Bool {
        switch self.bytes[self.offset] {
        case UInt8(ascii: "t"): true
        case UInt8(ascii: "f"): false
        default: throw self.mismatch(Bool.self, expected: "true or false", at: path())
        }
    }

    func string(path: () -> [any CodingKey]) throws -> String {
        guard self.bytes[self.offset] == .quote else {
            throw self.mismatch(String.self, expected: "a string", at: path())
        }
        var scanner = JSONScanner(self.bytes)
        scanner.position = self.offset
        do {
            return try scanner.readString()
        } catch {
            throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: path(), debugDescription: "\(error)"))
        }
    }

    func integer<T: FixedWidthInteger>(_ type: T.Type, path: () -> [any CodingKey]) throws -> T {
        let text = try self.numberText(type, path: path)
        if let value = T(text) { return value }
        // `1.0` or `1e2`: an integer if it is one, read through Double only where Double holds every integer
        // exactly (up to 2^53); past that, `184467440737095516.5` would round to an integer it is not.
        if let double = Double(text), double.magnitude <= 9_007_199_254_740_992, let value = T(exactly: double) {
            return value
        }
        throw DecodingError.dataCorrupted(
            DecodingError.Context(codingPath: path(), debugDescription: "\(text) does not fit in \(T.self)")
        )
    }

    func float<T: BinaryFloatingPoint & LosslessStringConvertible>(
        _ type: T.Type,
        path: () -> [any CodingKey]
    ) throws -> T {
        let text = try self.numberText(type, path: path)
        guard let value = T(text), value.isFinite else {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: path(), debugDescription: "\(text) does not fit in \(T.self)")
            )
        }
        return value
    }

    /// The number as it is written.
    private func numberText<T>(_ type: T.Type, path: () -> [any CodingKey]) throws -> String {
        let first = self.bytes[self.offset]
        guard first == UInt8(ascii: "-") || first.isDigit else {
            throw self.mismatch(type, expected: "a number", at: path())
        }
        var scanner = JSONScanner(self.bytes)
        scanner.position = self.offset
        do {
            return try scanner.readNumber().text
        } catch {
            throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: path(), debugDescription: "\(error)"))
        }
    }

    /// The error for a value of the wrong kind (or `null` where a value is required).
    func mismatch<T>(_ type: T.Type, expected: String, at path: [any CodingKey]) -> DecodingError {
        let context = DecodingError.Context(
            codingPath: path,
            debugDescription:
                "expected \(expected), found \(JSONScanner.kindOfValue(startingWith: self.bytes[self.offset]))"
        )
        return self.isNull ? .valueNotFound(type, context) : .typeMismatch(type, context)
    }
}

extension JSONScanner {
    /// Moves past the value at the cursor in a document already checked by ``skipValue(depth:maxDepth:)``:
    /// only strings and brackets matter, so nothing is validated or built again. Stops at the end of the
    /// input whatever the bytes.
    mutating func skipCheckedValue() {
        guard self.position < self.bytes.count else { return }
        switch self.bytes[self.position] {
        case .quote:
            self.skipCheckedString()
            return
        case .openBrace, .openBracket:
            break
        default:
            // A number or a literal: up to the next delimiter.
            while self.position < self.bytes.count {
                switch self.bytes[self.position] {
                case .comma, .closeBrace, .closeBracket, .space, .tab, .newline, .carriageReturn: return
                default: self.position += 1
                }
            }
            return
        }
        var depth = 0
        while self.position < self.bytes.count {
            switch self.bytes[self.position] {
            case .quote:
                self.skipCheckedString()
                continue
            case .openBrace, .openBracket:
                depth += 1
            case .closeBrace, .closeBracket:
                depth -= 1
                if depth == 0 {
                    self.position += 1
                    return
                }
            default:
                break
            }
            self.position += 1
        }
    }

    /// Moves past the string at the cursor (on its opening quote).
    private mutating func skipCheckedString() {
        self.position += 1
        while self.position < self.bytes.count {
            switch self.bytes[self.position] {
            case .backslash: self.position += 2
            case .quote:
                self.position += 1
                return
            default: self.position += 1
            }
        }
    }
}
