public import FHIRCore

/// Reads RFC 8259 JSON into a ``JSONValue`` tree, recording the line and column of every value.
///
/// Strict on purpose: no comments, no trailing commas, no leading zeros, only the escapes JSON allows.
/// Depth is capped so a hostile or broken file cannot exhaust the stack.
public struct JSONValueParser {
    /// Why the text is not JSON, and where the parser stopped.
    public struct SyntaxError: Error, Sendable, Hashable {
        public var message: String
        public var location: SourceLocation
    }

    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var lineStart = 0
    private var depth = 0
    private let maxDepth: Int

    private init(bytes: [UInt8], maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    /// Parses one JSON document (an optional UTF-8 byte order mark is skipped).
    /// - Throws: ``SyntaxError`` naming the first problem's line and column.
    public static func parse(_ bytes: [UInt8], maxDepth: Int = 64) throws(SyntaxError) -> JSONValue {
        var parser = JSONValueParser(bytes: bytes, maxDepth: maxDepth)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            parser.index = 3
            parser.lineStart = 3
        }
        parser.skipWhitespace()
        let value = try parser.parseValue()
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw parser.error("unexpected text after the JSON value") }
        return value
    }

    private var location: SourceLocation {
        // Columns count UTF-8 bytes; mapping files are ASCII in practice.
        SourceLocation(line: self.line, column: self.index - self.lineStart + 1)
    }

    private func error(_ message: String) -> SyntaxError {
        SyntaxError(message: message, location: self.location)
    }

    private var current: UInt8? { self.index < self.bytes.count ? self.bytes[self.index] : nil }

    private mutating func skipWhitespace() {
        while let byte = self.current {
            switch byte {
            case UInt8(ascii: "\n"):
                self.index += 1
                self.line += 1
                self.lineStart = self.index
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                self.index += 1
            default:
                return
            }
        }
    }

    private mutating func parseValue() throws(SyntaxError) -> JSONValue {
        let start = self.location
        guard let byte = self.current else { throw self.error("unexpected end of input, expected a value") }
        switch byte {
        case UInt8(ascii: "{"): return JSONValue(.object(try self.parseObject()), at: start)
        case UInt8(ascii: "["): return JSONValue(.array(try self.parseArray()), at: start)
        case UInt8(ascii: "\""): return JSONValue(.string(try self.parseString()), at: start)
        case UInt8(ascii: "t"):
            try self.expectLiteral("true")
            return JSONValue(.bool(true), at: start)
        case UInt8(ascii: "f"):
            try self.expectLiteral("false")
            return JSONValue(.bool(false), at: start)
        case UInt8(ascii: "n"):
            try self.expectLiteral("null")
            return JSONValue(.null, at: start)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return JSONValue(.number(try self.parseNumber()), at: start)
        default:
            throw self.error("unexpected character '\(Character(Unicode.Scalar(byte)))', expected a value")
        }
    }

    private mutating func expectLiteral(_ literal: String) throws(SyntaxError) {
        for expected in literal.utf8 {
            guard self.current == expected else { throw self.error("invalid literal, expected '\(literal)'") }
            self.index += 1
        }
    }

    private mutating func enter() throws(SyntaxError) {
        self.depth += 1
        if self.depth > self.maxDepth { throw self.error("nesting deeper than \(self.maxDepth) levels") }
    }

    private mutating func parseObject() throws(SyntaxError) -> [JSONValue.Member] {
        try self.enter()
        defer { self.depth -= 1 }
        self.index += 1
        var members: [JSONValue.Member] = []
        self.skipWhitespace()
        if self.current == UInt8(ascii: "}") {
            self.index += 1
            return members
        }
        while true {
            self.skipWhitespace()
            guard self.current == UInt8(ascii: "\"") else { throw self.error("expected a quoted member name") }
            let keyLocation = self.location
            let key = try self.parseString()
            self.skipWhitespace()
            guard self.current == UInt8(ascii: ":") else { throw self.error("expected ':' after member name") }
            self.index += 1
            self.skipWhitespace()
            members.append(JSONValue.Member(key: key, keyLocation: keyLocation, value: try self.parseValue()))
            self.skipWhitespace()
            switch self.current {
            case UInt8(ascii: ","): self.index += 1
            case UInt8(ascii: "}"):
                self.index += 1
                return members
            default: throw self.error("expected ',' or '}' in object")
            }
        }
    }

    private mutating func parseArray() throws(SyntaxError) -> [JSONValue] {
        try self.enter()
        defer { self.depth -= 1 }
        self.index += 1
        var items: [JSONValue] = []
        self.skipWhitespace()
        if self.current == UInt8(ascii: "]") {
            self.index += 1
            return items
        }
        while true {
            self.skipWhitespace()
            items.append(try self.parseValue())
            self.skipWhitespace()
            switch self.current {
            case UInt8(ascii: ","): self.index += 1
            case UInt8(ascii: "]"):
                self.index += 1
                return items
            default: throw self.error("expected ',' or ']' in array")
            }
        }
    }

    private mutating func parseNumber() throws(SyntaxError) -> String {
        let start = self.index
        func digits(_ parser: inout JSONValueParser) -> Int {
            var count = 0
            while let byte = parser.current, byte >= 48, byte <= 57 {
                parser.index += 1
                count += 1
            }
            return count
        }
        if self.current == UInt8(ascii: "-") { self.index += 1 }
        if self.current == UInt8(ascii: "0") {
            self.index += 1
            if let byte = self.current, byte >= 48, byte <= 57 { throw self.error("leading zero in number") }
        } else if digits(&self) == 0 {
            throw self.error("expected digits in number")
        }
        if self.current == UInt8(ascii: ".") {
            self.index += 1
            guard digits(&self) > 0 else { throw self.error("expected digits after '.'") }
        }
        if self.current == UInt8(ascii: "e") || self.current == UInt8(ascii: "E") {
            self.index += 1
            if self.current == UInt8(ascii: "+") || self.current == UInt8(ascii: "-") { self.index += 1 }
            guard digits(&self) > 0 else { throw self.error("expected digits in exponent") }
        }
        return String(decoding: self.bytes[start..<self.index], as: UTF8.self)
    }

    private mutating func parseString() throws(SyntaxError) -> String {
        self.index += 1
        var scalars = String.UnicodeScalarView()
        var runStart = self.index
        func flush(_ parser: JSONValueParser, to end: Int) throws(SyntaxError) {
            guard runStart < end else { return }
            let run = parser.bytes[runStart..<end]
            guard let text = String(validating: run, as: UTF8.self) else {
                throw parser.error("invalid UTF-8 in string")
            }
            scalars.append(contentsOf: text.unicodeScalars)
        }
        while true {
            guard let byte = self.current else { throw self.error("unterminated string") }
            switch byte {
            case UInt8(ascii: "\""):
                try flush(self, to: self.index)
                self.index += 1
                return String(scalars)
            case UInt8(ascii: "\\"):
                try flush(self, to: self.index)
                self.index += 1
                scalars.append(try self.parseEscape())
                runStart = self.index
            case 0..<0x20:
                throw self.error("control character in string (escape it)")
            default:
                self.index += 1
            }
        }
    }

    private mutating func parseEscape() throws(SyntaxError) -> Unicode.Scalar {
        guard let byte = self.current else { throw self.error("unterminated escape") }
        self.index += 1
        switch byte {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let high = try self.parseHex4()
            if (0xD800..<0xDC00).contains(high) {
                guard self.current == UInt8(ascii: "\\") else { throw self.error("unpaired surrogate in \\u escape") }
                self.index += 1
                guard self.current == UInt8(ascii: "u") else { throw self.error("unpaired surrogate in \\u escape") }
                self.index += 1
                let low = try self.parseHex4()
                guard (0xDC00..<0xE000).contains(low),
                    let scalar = Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
                else { throw self.error("invalid surrogate pair in \\u escape") }
                return scalar
            }
            guard let scalar = Unicode.Scalar(high) else { throw self.error("invalid \\u escape") }
            return scalar
        default:
            throw self.error("invalid escape '\\\(Character(Unicode.Scalar(byte)))'")
        }
    }

    private mutating func parseHex4() throws(SyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = self.current, let digit = Self.hexValue(byte) else {
                throw self.error("expected four hex digits in \\u escape")
            }
            value = value << 4 | digit
            self.index += 1
        }
        return value
    }

    private static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - 48)
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - 87)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - 55)
        default: nil
        }
    }
}
