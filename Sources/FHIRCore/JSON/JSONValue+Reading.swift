extension JSONValue {
    /// Why the text is not JSON, and where reading stopped.
    public struct SyntaxError: Error, Sendable, Hashable {
        public var message: String
        public var location: SourceLocation

        public init(message: String, location: SourceLocation) {
            self.message = message
            self.location = location
        }
    }

    /// Reads one RFC 8259 JSON document with the ``JSONScanner`` the FHIR codec uses, keeping every
    /// value's line and column.
    ///
    /// Strict: no comments, no trailing commas, no leading zeros, only the escapes JSON allows, valid
    /// UTF-8. A leading UTF-8 byte order mark is skipped (hand-edited files often have one).
    /// - Parameter maxDepth: how deeply objects and arrays may nest, so a broken file cannot exhaust the stack.
    /// - Throws: ``SyntaxError`` naming the first problem's line and column.
    public static func read(_ bytes: [UInt8], maxDepth: Int = 64) throws(SyntaxError) -> JSONValue {
        do {
            return try bytes.withUnsafeBufferPointer { buffer throws(Outcome) in
                var builder = JSONValueBuilder(scanner: JSONScanner(buffer), maxDepth: maxDepth)
                return try builder.readDocument()
            }
        } catch {
            let issue = error.issues.first
            throw SyntaxError(message: issue?.message ?? "not JSON", location: issue?.location ?? .unknown)
        }
    }
}

/// Builds a ``JSONValue`` tree from the scanner's tokens; every problem is a fatal ``Outcome`` issue.
private struct JSONValueBuilder {
    var scanner: JSONScanner
    let maxDepth: Int
    var depth = 0

    mutating func readDocument() throws(Outcome) -> JSONValue {
        if self.scanner.hasPrefix("\u{FEFF}") {
            self.scanner.position = 3
            self.scanner.lineStart = 3
        }
        self.scanner.skipWhitespace()
        let value = try self.readValue()
        self.scanner.skipWhitespace()
        guard self.scanner.isAtEnd else { throw self.scanner.failure("unexpected text after the JSON value") }
        return value
    }

    private mutating func readValue() throws(Outcome) -> JSONValue {
        let start = self.scanner.location
        switch self.scanner.current {
        case .openBrace: return JSONValue(.object(try self.readObject()), at: start)
        case .openBracket: return JSONValue(.array(try self.readArray()), at: start)
        case .quote: return JSONValue(.string(try self.scanner.readString()), at: start)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return JSONValue(.number(try self.scanner.readNumber().text), at: start)
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            let literal = try self.scanner.readLiteral()
            return JSONValue(literal == "null" ? .null : .bool(literal == "true"), at: start)
        default:
            throw self.scanner.unexpected(expecting: "a value")
        }
    }

    private mutating func enter() throws(Outcome) {
        self.depth += 1
        guard self.depth <= self.maxDepth else {
            throw self.scanner.failure("nesting deeper than \(self.maxDepth) levels", code: .tooCostly)
        }
        self.scanner.position += 1
        self.scanner.skipWhitespace()
    }

    private mutating func readObject() throws(Outcome) -> [JSONValue.Member] {
        try self.enter()
        defer { self.depth -= 1 }
        var members: [JSONValue.Member] = []
        if self.scanner.current == .closeBrace {
            self.scanner.position += 1
            return members
        }
        while true {
            self.scanner.skipWhitespace()
            guard self.scanner.current == .quote else { throw self.scanner.unexpected(expecting: "a quoted key") }
            let keyLocation = self.scanner.location
            let key = try self.scanner.readString()
            self.scanner.skipWhitespace()
            try self.scanner.expect(.colon, "':' after the key")
            self.scanner.skipWhitespace()
            members.append(JSONValue.Member(key: key, keyLocation: keyLocation, value: try self.readValue()))
            guard try self.continues(closing: .closeBrace, "',' or '}'") else { return members }
        }
    }

    private mutating func readArray() throws(Outcome) -> [JSONValue] {
        try self.enter()
        defer { self.depth -= 1 }
        var items: [JSONValue] = []
        if self.scanner.current == .closeBracket {
            self.scanner.position += 1
            return items
        }
        while true {
            self.scanner.skipWhitespace()
            items.append(try self.readValue())
            guard try self.continues(closing: .closeBracket, "',' or ']'") else { return items }
        }
    }

    /// After a member or element: consumes `,` (true: another follows) or the closing bracket (false).
    private mutating func continues(closing: UInt8, _ expected: String) throws(Outcome) -> Bool {
        self.scanner.skipWhitespace()
        if self.scanner.current == .comma {
            self.scanner.position += 1
            return true
        }
        try self.scanner.expect(closing, expected)
        return false
    }
}
