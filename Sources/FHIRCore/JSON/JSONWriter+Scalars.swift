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
    /// escapes, everything else (non-ASCII and `/` included) as its UTF-8.
    mutating func writeString(_ value: String) {
        self.output.append(.quote)
        for byte in value.utf8 {
            switch byte {
            case .quote: self.output.append(contentsOf: [.backslash, .quote])
            case .backslash: self.output.append(contentsOf: [.backslash, .backslash])
            case .newline: self.output.append(contentsOf: [.backslash, UInt8(ascii: "n")])
            case .tab: self.output.append(contentsOf: [.backslash, UInt8(ascii: "t")])
            case .carriageReturn: self.output.append(contentsOf: [.backslash, UInt8(ascii: "r")])
            case 0x08: self.output.append(contentsOf: [.backslash, UInt8(ascii: "b")])
            case 0x0C: self.output.append(contentsOf: [.backslash, UInt8(ascii: "f")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                self.output.append(contentsOf: Array("\\u00".utf8))
                self.output.append(hex[Int(byte >> 4)])
                self.output.append(hex[Int(byte & 0xF)])
            default: self.output.append(byte)
            }
        }
        self.output.append(.quote)
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
