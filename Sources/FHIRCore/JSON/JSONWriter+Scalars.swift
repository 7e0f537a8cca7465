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
    /// escapes, everything else (non-ASCII and `/` included) as its UTF-8 (``JSONScalarText``'s rules,
    /// which ``SortedKeysJSONEncoder`` shares).
    mutating func writeString(_ value: String) {
        JSONScalarText.string(value, into: &self.output)
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
