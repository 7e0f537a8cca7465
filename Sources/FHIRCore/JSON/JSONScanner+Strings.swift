/// Strings: UTF-8 validation and unescaping in one sweep, so a `String` is made only from bytes this
/// scanner has already checked (RFC 8259 §7 and §8.1, RFC 3629 for the UTF-8 rules).
extension JSONScanner {
    /// Consumes a string at the cursor (which must be on `"`) and returns its unescaped value.
    ///
    /// Plain ASCII strings, the common case for keys and codes, are turned into a `String` straight from
    /// the input buffer; anything with an escape or a non-ASCII byte goes through ``scratch``.
    mutating func readString() throws(Outcome) -> String {
        let start = self.position + 1
        var index = start
        while index < self.bytes.count {
            let byte = self.bytes[index]
            if byte == .quote {
                self.position = index + 1
                return String(decoding: UnsafeBufferPointer(rebasing: self.bytes[start..<index]), as: UTF8.self)
            }
            if byte == .backslash || byte >= 0x80 || byte < 0x20 { break }
            index += 1
        }
        self.scratch.removeAll(keepingCapacity: true)
        self.scratch.append(contentsOf: UnsafeBufferPointer(rebasing: self.bytes[start..<index]))
        self.position = index
        try self.readStringTail()
        return String(decoding: self.scratch, as: UTF8.self)
    }

    /// Consumes a string at the cursor (which must be on `"`), checking it as ``readString()`` does without
    /// making a `String`: for values that are skipped.
    mutating func skipString() throws(Outcome) {
        var index = self.position + 1
        while index < self.bytes.count {
            let byte = self.bytes[index]
            if byte == .quote {
                self.position = index + 1
                return
            }
            if byte == .backslash || byte >= 0x80 || byte < 0x20 { break }
            index += 1
        }
        self.scratch.removeAll(keepingCapacity: true)
        self.position = index
        try self.readStringTail()
    }

    /// Consumes a key that is plain ASCII without escapes (nearly every key) and returns its bytes in the
    /// input; returns nil without moving for any other key, which the caller reads with ``readString()``.
    mutating func readPlainKey() -> UnsafeBufferPointer<UInt8>? {
        let start = self.position + 1
        var index = start
        while index < self.bytes.count {
            let byte = self.bytes[index]
            if byte == .quote {
                self.position = index + 1
                return UnsafeBufferPointer(rebasing: self.bytes[start..<index])
            }
            if byte == .backslash || byte >= 0x80 || byte < 0x20 { return nil }
            index += 1
        }
        return nil
    }

    /// Continues a string from the cursor into ``scratch`` up to and including the closing quote.
    private mutating func readStringTail() throws(Outcome) {
        while self.position < self.bytes.count {
            let byte = self.bytes[self.position]
            switch byte {
            case .quote:
                self.position += 1
                return
            case .backslash:
                try self.readEscape()
            case 0..<0x20:
                throw self.failure(
                    "control character 0x\(String(byte, radix: 16)) must be escaped in a JSON string",
                    code: .invalid
                )
            case 0x20..<0x80:
                self.scratch.append(byte)
                self.position += 1
            default:
                let length = try self.validatedSequenceLength()
                self.scratch.append(
                    contentsOf: UnsafeBufferPointer(rebasing: self.bytes[self.position..<self.position + length])
                )
                self.position += length
            }
        }
        throw self.failure("unexpected end of input inside a string: the document is truncated")
    }

    /// The length of the well-formed multi-byte UTF-8 sequence at the cursor. Rejects stray continuation
    /// bytes, overlong forms (C0, C1, E0 80–9F, F0 80–8F), UTF-16 surrogates (ED A0–BF) and code points
    /// beyond U+10FFFF, per the table in RFC 3629 §4.
    private func validatedSequenceLength() throws(Outcome) -> Int {
        let lead = self.bytes[self.position]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED:
            length = 3
            secondRange = 0x80...0x9F
        case 0xF0:
            length = 4
            secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            secondRange = 0x80...0x8F
        default:
            throw self.failure(
                "invalid UTF-8: byte 0x\(String(lead, radix: 16)) cannot start a character",
                code: .invalid
            )
        }
        guard self.bytes.count - self.position >= length else {
            throw self.failure("invalid UTF-8: truncated multi-byte character", code: .invalid)
        }
        guard secondRange.contains(self.bytes[self.position + 1]) else {
            throw self.failure("invalid UTF-8: overlong, surrogate or malformed sequence", code: .invalid)
        }
        for offset in 2..<length where self.bytes[self.position + offset] & 0xC0 != 0x80 {
            throw self.failure("invalid UTF-8: malformed multi-byte character", code: .invalid)
        }
        return length
    }

    /// Consumes one escape (`\n`, `\u00e9`, a `\uD83D\uDE00` pair) and appends its UTF-8 to ``scratch``.
    private mutating func readEscape() throws(Outcome) {
        guard self.position + 1 < self.bytes.count else {
            throw self.failure("unexpected end of input in an escape: the document is truncated")
        }
        let letter = self.bytes[self.position + 1]
        let simple: UInt8? =
            switch letter {
            case .quote, .backslash, UInt8(ascii: "/"): letter
            case UInt8(ascii: "b"): 0x08
            case UInt8(ascii: "f"): 0x0C
            case UInt8(ascii: "n"): .newline
            case UInt8(ascii: "r"): .carriageReturn
            case UInt8(ascii: "t"): .tab
            case UInt8(ascii: "u"): nil
            default:
                throw self.failure(
                    "invalid escape '\\\(Character(Unicode.Scalar(letter)))' in a string",
                    code: .invalid
                )
            }
        if let simple {
            self.scratch.append(simple)
            self.position += 2
            return
        }
        var scalar = try self.readHexUnit()
        if (0xDC00...0xDFFF).contains(scalar) {
            throw self.failure("lone low surrogate \\u\(String(scalar, radix: 16)) in a string", code: .invalid)
        }
        if (0xD800...0xDBFF).contains(scalar) {
            guard self.current == .backslash, self.position + 1 < self.bytes.count,
                self.bytes[self.position + 1] == UInt8(ascii: "u")
            else {
                throw self.failure("lone high surrogate \\u\(String(scalar, radix: 16)) in a string", code: .invalid)
            }
            let low = try self.readHexUnit()
            guard (0xDC00...0xDFFF).contains(low) else {
                throw self.failure("high surrogate not followed by a low surrogate in a string", code: .invalid)
            }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        }
        // Surrogates were handled above, so this is always a valid scalar.
        if let unicode = Unicode.Scalar(scalar) {
            self.scratch.append(contentsOf: unicode.utf8)
        }
    }

    /// Consumes `\uXXXX` at the cursor and returns the code unit.
    private mutating func readHexUnit() throws(Outcome) -> UInt32 {
        guard self.bytes.count - self.position >= 6 else {
            throw self.failure("unexpected end of input in a \\u escape: the document is truncated")
        }
        var value: UInt32 = 0
        for offset in 2..<6 {
            let byte = self.bytes[self.position + offset]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw self.failure("invalid hex digit in a \\u escape", code: .invalid)
            }
            value = value << 4 | UInt32(digit)
        }
        self.position += 6
        return value
    }
}
