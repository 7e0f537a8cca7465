/// Primitive values and the small cursor moves the value readers share: arrays, nulls, wrong kinds.
extension JSONResourceReader {
    /// Reads a string, number or boolean for primitive `type` and returns its exact lexical form.
    ///
    /// A value of the wrong JSON kind (`"active": "true"`) is reported but kept, so the tree still
    /// shows what was sent; objects, arrays and `null` are reported and give nil.
    mutating func readScalar(
        _ expected: R4Metadata.JSONKind,
        type: String,
        name: String,
        index: Int?,
        at location: SourceLocation
    ) throws(Outcome) -> String? {
        // The path string is made only when there is something to report.
        func path() -> String { self.path.appending(name, index: index) }
        let found: R4Metadata.JSONKind
        let text: String
        switch self.scanner.current {
        case .quote:
            found = .string
            text = try self.scanner.readString()
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            found = .boolean
            text = try self.scanner.readLiteral()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            found = .number
            let number = try self.scanner.readNumber()
            text = number.text
            if number.overflows {
                self.report(.value, path(), "number \(text) is out of range", at: location)
            }
        case UInt8(ascii: "n"):
            _ = try self.readNull()
            self.report(.structure, path(), "null is not allowed here", at: location)
            return nil
        default:
            try self.wrongKind(name, index: index, expected: "a JSON \(expected.rawValue) (\(type))", at: location)
            return nil
        }
        if found != expected {
            self.report(
                .structure,
                path(),
                "\(type) must be a JSON \(expected.rawValue), found a \(found.rawValue)",
                at: location
            )
        }
        return text
    }

    /// Consumes `null` (the cursor is on `n`) and returns nil.
    mutating func readNull() throws(Outcome) -> String? {
        let literal = try self.scanner.readLiteral()
        if literal != "null" { throw self.scanner.unexpected(expecting: "null") }
        return nil
    }

    /// Reports a value of the wrong JSON kind for element `key` and skips it.
    mutating func wrongKind(
        _ key: String,
        index: Int? = nil,
        expected: String,
        at location: SourceLocation
    ) throws(Outcome) {
        self.report(
            .structure,
            self.path.appending(key, index: index),
            "expected \(expected), found \(self.kindAtCursor)",
            at: location
        )
        try self.skipValue()
    }

    /// What JSON value starts at the cursor, for messages.
    var kindAtCursor: String { JSONScanner.kindOfValue(startingWith: self.scanner.current) }

    /// Consumes `[`; true when items follow. An empty array is reported (FHIR JSON §2.6.2: arrays are
    /// never empty) and consumed.
    mutating func openArray(_ key: String, at location: SourceLocation) throws(Outcome) -> Bool {
        try self.enterContainer()
        self.scanner.skipWhitespace()
        guard self.scanner.current == .closeBracket else { return true }
        self.scanner.position += 1
        self.depth -= 1
        self.report(.required, self.path.appending(key), "empty array", at: location)
        return false
    }

    /// After an array item: consumes `,` (true: another item follows) or `]` (false: done).
    mutating func nextItem() throws(Outcome) -> Bool {
        self.scanner.skipWhitespace()
        if self.scanner.current == .comma {
            self.scanner.position += 1
            self.scanner.skipWhitespace()
            return true
        }
        guard self.scanner.current == .closeBracket else { throw self.scanner.unexpected(expecting: "',' or ']'") }
        self.scanner.position += 1
        self.depth -= 1
        return false
    }

    /// Whether the object at the cursor is `{}`; looks ahead without moving (whitespace inside is
    /// consumed, and its newlines counted, by the real read).
    func nextIsEmptyObject() -> Bool {
        var index = self.scanner.position + 1
        let bytes = self.scanner.bytes
        while index < bytes.count,
            bytes[index] == .space || bytes[index] == .newline || bytes[index] == .tab
                || bytes[index] == .carriageReturn
        {
            index += 1
        }
        return index < bytes.count && bytes[index] == .closeBrace
    }
}
