/// Scalars: strings with RFC 8259 escaping, and numbers and booleans written verbatim when their lexical
/// form is valid JSON (otherwise as strings, so the output always parses).
extension JSONWriter {
    mutating func writeNull() {
        self.output.append(contentsOf: "null".utf8)
    }

    /// Writes a primitive's lexical form as the JSON kind R4 gives its type.
    mutating func writeScalar(_ value: String, kind: R4Metadata.JSONKind) {
        switch kind {
        case .number where Self.isJSONNumber(value), .boolean where value == "true" || value == "false":
            self.output.append(contentsOf: value.utf8)
        default:
            self.writeString(value)
        }
    }

    /// Writes a quoted string: `"` and `\` escaped, control characters as `\n`-style or `\u00XX`
    /// escapes, everything else (non-ASCII and `/` included) as its UTF-8. Runs that need no escape, which
    /// is nearly every string, are copied whole.
    mutating func writeString(_ value: String) {
        self.output.append(.quote)
        var value = value
        value.withUTF8 { utf8 in
            var runStart = 0
            for index in utf8.indices {
                let byte = utf8[index]
                guard byte < 0x20 || byte == .quote || byte == .backslash else { continue }
                self.output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                runStart = index + 1
                self.writeEscape(byte)
            }
            self.output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        self.output.append(.quote)
    }

    /// The escape of one byte that JSON strings may not hold as is.
    private mutating func writeEscape(_ byte: UInt8) {
        self.output.append(.backslash)
        switch byte {
        case .quote, .backslash: self.output.append(byte)
        case .newline: self.output.append(UInt8(ascii: "n"))
        case .tab: self.output.append(UInt8(ascii: "t"))
        case .carriageReturn: self.output.append(UInt8(ascii: "r"))
        case 0x08: self.output.append(UInt8(ascii: "b"))
        case 0x0C: self.output.append(UInt8(ascii: "f"))
        default:
            let digit = byte & 0xF
            self.output.append(contentsOf: "u00".utf8)
            self.output.append(UInt8(ascii: "0") + (byte >> 4))
            self.output.append(digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10)
        }
    }

    /// Whether `text` matches the RFC 8259 number grammar: `-? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?`.
    static func isJSONNumber(_ text: String) -> Bool {
        var bytes = text.utf8[...]
        func digits() -> Int {
            let count = bytes.prefix(while: \.isDigit).count
            bytes = bytes.dropFirst(count)
            return count
        }
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        if bytes.first == UInt8(ascii: "0") {
            bytes = bytes.dropFirst()
        } else if digits() == 0 {
            return false
        }
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            if digits() == 0 { return false }
        }
        if bytes.first == UInt8(ascii: "e") || bytes.first == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if bytes.first == UInt8(ascii: "+") || bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
            if digits() == 0 { return false }
        }
        return bytes.isEmpty
    }
}
