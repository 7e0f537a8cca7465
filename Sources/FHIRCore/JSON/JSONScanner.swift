/// Byte-level JSON tokeniser over a borrowed buffer: whitespace, punctuation, numbers and literals, with
/// the line and column of the cursor for error messages.
///
/// It never builds a generic JSON value; ``JSONResourceReader`` drives it and builds the FHIR tree in the
/// same pass. Every problem it finds is fatal (RFC 8259 syntax or encoding), so it throws an ``Outcome``.
///
/// - Important: `bytes` is borrowed from `Array.withUnsafeBufferPointer`; a scanner must not outlive it.
struct JSONScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0
    var line = 1
    /// Offset of the first byte of the current line. Newlines only occur in whitespace in valid JSON
    /// (inside strings they must be escaped), so counting them in ``skipWhitespace()`` is enough.
    var lineStart = 0
    /// Reused buffer for strings that need unescaping or contain non-ASCII bytes.
    var scratch: [UInt8] = []

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// Where the cursor is: 1-based line and byte column.
    var location: SourceLocation { SourceLocation(line: self.line, column: self.position - self.lineStart + 1) }

    var isAtEnd: Bool { self.position >= self.bytes.count }

    /// The byte at the cursor, or 0 at the end. NUL can start no JSON token, so callers treat it as an error.
    var current: UInt8 { self.position < self.bytes.count ? self.bytes[self.position] : 0 }

    mutating func skipWhitespace() {
        while self.position < self.bytes.count {
            switch self.bytes[self.position] {
            case .space, .tab, .carriageReturn:
                self.position += 1
            case .newline:
                self.position += 1
                self.line += 1
                self.lineStart = self.position
            default:
                return
            }
        }
    }

    /// A fatal issue at the cursor.
    func failure(_ message: String, code: Issue.Code = .structure) -> Outcome {
        .fatal(code, message, at: self.location)
    }

    /// Consumes `byte` or throws a syntax error naming what was expected.
    mutating func expect(_ byte: UInt8, _ what: String) throws(Outcome) {
        guard self.current == byte else { throw self.unexpected(expecting: what) }
        self.position += 1
    }

    /// The error for an unexpected byte (or the end of input) where `what` should have been.
    func unexpected(expecting what: String) -> Outcome {
        guard !self.isAtEnd else {
            return self.failure("unexpected end of input, expected \(what): the document is truncated")
        }
        let byte = self.bytes[self.position]
        switch byte {
        case UInt8(ascii: "N") where self.hasPrefix("NaN"), UInt8(ascii: "I") where self.hasPrefix("Infinity"):
            return self.failure("NaN and Infinity are not valid JSON numbers (RFC 8259 §6)", code: .invalid)
        case 0x80...:
            return self.failure("unexpected non-ASCII byte outside a string, expected \(what)", code: .invalid)
        case 0x21...0x7E:
            return self.failure("unexpected '\(Character(Unicode.Scalar(byte)))', expected \(what)")
        default:
            return self.failure("unexpected byte 0x\(String(byte, radix: 16)), expected \(what)")
        }
    }

    /// What JSON value starts with `byte` (one that starts a value), for messages.
    static func kindOfValue(startingWith byte: UInt8) -> String {
        switch byte {
        case .openBrace: "an object"
        case .openBracket: "an array"
        case .quote: "a string"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): "a boolean"
        case UInt8(ascii: "n"): "null"
        default: "a number"
        }
    }

    /// Whether the input at the cursor starts with `text`.
    func hasPrefix(_ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard self.bytes.count - self.position >= count else { return false }
        return (0..<count).allSatisfy { self.bytes[self.position + $0] == text.utf8Start[$0] }
    }

    /// Consumes `true`, `false` or `null` at the cursor and returns its text.
    mutating func readLiteral() throws(Outcome) -> String {
        let literal: StaticString =
            switch self.current {
            case UInt8(ascii: "t"): "true"
            case UInt8(ascii: "f"): "false"
            case UInt8(ascii: "n"): "null"
            default: throw self.unexpected(expecting: "a value")
            }
        // Errors point at the first byte that differs, or at the end of a truncated document.
        for offset in 0..<literal.utf8CodeUnitCount {
            guard !self.isAtEnd else {
                throw self.failure("unexpected end of input in '\(literal)': the document is truncated")
            }
            guard self.bytes[self.position] == literal.utf8Start[offset] else {
                throw self.failure("invalid literal, expected '\(literal)'")
            }
            self.position += 1
        }
        return literal.description
    }

    /// Consumes a number and returns its exact spelling (`1.50` stays `1.50`), and whether its magnitude
    /// overflows a Double (`1e400`), which the caller reports as a non-fatal value error.
    ///
    /// Enforces the RFC 8259 grammar: no leading zeros, no `+`, digits after `.` and `e`, no NaN/Infinity.
    mutating func readNumber() throws(Outcome) -> (text: String, overflows: Bool) {
        let start = self.position
        let (hasExponent, integerDigits) = try self.scanNumber()
        let text = String(decoding: UnsafeBufferPointer(rebasing: self.bytes[start..<self.position]), as: UTF8.self)
        // Only an exponent or a very long integer part can leave Double's range; parse only then.
        let overflows = (hasExponent || integerDigits > 300) && !(Double(text)?.isFinite ?? false)
        return (text, overflows)
    }

    /// Consumes a number, checked as ``readNumber()`` does, without making its text: for values skipped.
    mutating func skipNumber() throws(Outcome) {
        _ = try self.scanNumber()
    }

    /// Moves past a number, enforcing the RFC 8259 grammar; returns whether it has an exponent and how
    /// many digits its integer part has.
    private mutating func scanNumber() throws(Outcome) -> (hasExponent: Bool, integerDigits: Int) {
        if self.current == UInt8(ascii: "-") { self.position += 1 }
        let integerStart = self.position
        guard self.current.isDigit else {
            if self.current == UInt8(ascii: "I") {
                throw self.failure("NaN and Infinity are not valid JSON numbers (RFC 8259 §6)", code: .invalid)
            }
            throw self.unexpected(expecting: "a digit")
        }
        if self.current == UInt8(ascii: "0") {
            self.position += 1
            if self.current.isDigit {
                throw self.failure("leading zeros are not allowed in JSON numbers", code: .invalid)
            }
        } else {
            self.skipDigits()
        }
        let integerDigits = self.position - integerStart
        var hasExponent = false
        if self.current == UInt8(ascii: ".") {
            self.position += 1
            guard self.current.isDigit else { throw self.unexpected(expecting: "a digit after '.'") }
            self.skipDigits()
        }
        if self.current == UInt8(ascii: "e") || self.current == UInt8(ascii: "E") {
            hasExponent = true
            self.position += 1
            if self.current == UInt8(ascii: "+") || self.current == UInt8(ascii: "-") { self.position += 1 }
            guard self.current.isDigit else { throw self.unexpected(expecting: "a digit in the exponent") }
            self.skipDigits()
        }
        return (hasExponent, integerDigits)
    }

    private mutating func skipDigits() {
        while self.current.isDigit { self.position += 1 }
    }
}

extension UInt8 {
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let newline = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")
    static let quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")
    static let openBrace = UInt8(ascii: "{")
    static let closeBrace = UInt8(ascii: "}")
    static let openBracket = UInt8(ascii: "[")
    static let closeBracket = UInt8(ascii: "]")
    static let colon = UInt8(ascii: ":")
    static let comma = UInt8(ascii: ",")

    var isDigit: Bool { self &- UInt8(ascii: "0") < 10 }
}
