/// A token of the FHIRPath grammar (https://hl7.org/fhirpath/N1/grammar.html).
struct FHIRPathToken: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case identifier
        /// A `` `quoted` `` identifier: never a keyword.
        case quotedIdentifier
        case string
        case number
        /// An integer with the `L` suffix (FHIRPath 2.1 Long); read as an integer.
        case longNumber
        /// `@2014-01-01`, `@2014-01-01T10:00:00Z`: the text after `@`.
        case dateTime
        /// `@T10:00`: the text after `@T`.
        case time
        /// `%name`, `` %`name` `` or `%'name'`: the name.
        case variable
        case symbol
        case end
    }

    let kind: Kind
    /// The decoded text: escapes resolved, quotes and `@` removed.
    let text: String
    /// Offset in Unicode scalars of the token's first character.
    let position: Int

    func isSymbol(_ symbol: String) -> Bool { self.kind == .symbol && self.text == symbol }
}

/// Splits an expression into tokens, skipping whitespace and `//` and `/* */` comments.
struct FHIRPathLexer {
    private let scalars: [Unicode.Scalar]
    private var index = 0

    init(_ text: String) {
        self.scalars = Array(text.unicodeScalars)
    }

    static func tokens(_ text: String) throws(FHIRPathError) -> [FHIRPathToken] {
        var lexer = FHIRPathLexer(text)
        var tokens: [FHIRPathToken] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        self.index + offset < self.scalars.count ? self.scalars[self.index + offset] : nil
    }

    private static func isDigit(_ scalar: Unicode.Scalar?) -> Bool {
        guard let scalar else { return false }
        return scalar.value >= 48 && scalar.value <= 57
    }

    private static func isIdentifierStart(_ scalar: Unicode.Scalar?) -> Bool {
        guard let scalar else { return false }
        return (scalar >= "A" && scalar <= "Z") || (scalar >= "a" && scalar <= "z") || scalar == "_"
    }

    private mutating func skipTrivia() throws(FHIRPathError) {
        while let scalar = self.peek() {
            if scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" {
                self.index += 1
            } else if scalar == "/", self.peek(1) == "/" {
                while let next = self.peek(), next != "\n" { self.index += 1 }
            } else if scalar == "/", self.peek(1) == "*" {
                let start = self.index
                self.index += 2
                while self.peek() != nil, !(self.peek() == "*" && self.peek(1) == "/") { self.index += 1 }
                guard self.peek() != nil else { throw .syntax("unterminated comment", at: start) }
                self.index += 2
            } else {
                return
            }
        }
    }

    mutating func next() throws(FHIRPathError) -> FHIRPathToken {
        try self.skipTrivia()
        let start = self.index
        guard let scalar = self.peek() else { return FHIRPathToken(kind: .end, text: "", position: start) }
        if Self.isIdentifierStart(scalar) {
            return FHIRPathToken(kind: .identifier, text: self.identifier(), position: start)
        }
        if Self.isDigit(scalar) { return self.number() }
        switch scalar {
        case "'":
            return FHIRPathToken(kind: .string, text: try self.quoted("'"), position: start)
        case "`":
            return FHIRPathToken(kind: .quotedIdentifier, text: try self.quoted("`"), position: start)
        case "@":
            return try self.dateTime()
        case "$":
            self.index += 1
            guard Self.isIdentifierStart(self.peek()) else { throw .syntax("expected a name after '$'", at: start) }
            return FHIRPathToken(kind: .identifier, text: "$" + self.identifier(), position: start)
        case "%":
            self.index += 1
            let name: String
            switch self.peek() {
            case "`": name = try self.quoted("`")
            case "'": name = try self.quoted("'")
            case let next where Self.isIdentifierStart(next): name = self.identifier()
            default: throw .syntax("expected a name after '%'", at: start)
            }
            return FHIRPathToken(kind: .variable, text: name, position: start)
        default:
            break
        }
        for symbol in ["<=", ">=", "!=", "!~"] where self.matches(symbol) {
            self.index += 2
            return FHIRPathToken(kind: .symbol, text: symbol, position: start)
        }
        guard ".,()[]{}+-*/&|=~<>".unicodeScalars.contains(scalar) else {
            throw .syntax("unexpected character '\(scalar)'", at: start)
        }
        self.index += 1
        return FHIRPathToken(kind: .symbol, text: String(scalar), position: start)
    }

    private func matches(_ text: String) -> Bool {
        for (offset, scalar) in text.unicodeScalars.enumerated() where self.peek(offset) != scalar { return false }
        return true
    }

    private mutating func identifier() -> String {
        var text = String.UnicodeScalarView()
        while let scalar = self.peek(), Self.isIdentifierStart(scalar) || Self.isDigit(scalar) {
            text.append(scalar)
            self.index += 1
        }
        return String(text)
    }

    private mutating func number() -> FHIRPathToken {
        let start = self.index
        var text = String.UnicodeScalarView()
        while Self.isDigit(self.peek()), let scalar = self.peek() {
            text.append(scalar)
            self.index += 1
        }
        // A point belongs to the number only when a digit follows: `1.toString()` is an invocation.
        if self.peek() == ".", Self.isDigit(self.peek(1)) {
            text.append(".")
            self.index += 1
            while Self.isDigit(self.peek()), let scalar = self.peek() {
                text.append(scalar)
                self.index += 1
            }
        } else if self.peek() == "L" {
            self.index += 1
            return FHIRPathToken(kind: .longNumber, text: String(text), position: start)
        }
        return FHIRPathToken(kind: .number, text: String(text), position: start)
    }

    /// A string or quoted identifier with the escapes of https://hl7.org/fhirpath/N1/#string.
    private mutating func quoted(_ quote: Unicode.Scalar) throws(FHIRPathError) -> String {
        let start = self.index
        self.index += 1
        var text = String.UnicodeScalarView()
        while let scalar = self.peek() {
            self.index += 1
            if scalar == quote { return String(text) }
            guard scalar == "\\" else {
                text.append(scalar)
                continue
            }
            guard let escaped = self.peek() else { break }
            self.index += 1
            switch escaped {
            case "n": text.append("\n")
            case "r": text.append("\r")
            case "t": text.append("\t")
            case "f": text.append("\u{0C}")
            case "u":
                var value: UInt32 = 0
                for _ in 0..<4 {
                    guard let digit = self.peek(), let hex = Int(String(digit), radix: 16) else {
                        throw .syntax("bad \\u escape", at: self.index)
                    }
                    value = value * 16 + UInt32(hex)
                    self.index += 1
                }
                guard let unicode = Unicode.Scalar(value) else { throw .syntax("bad \\u escape", at: self.index) }
                text.append(unicode)
            case "'", "\"", "`", "\\", "/": text.append(escaped)
            default: throw .syntax("unknown escape '\\\(escaped)'", at: self.index - 2)
            }
        }
        throw .syntax("unterminated \(quote == "'" ? "string" : "quoted identifier")", at: start)
    }

    /// `@` date, date-time or time literal; the checks of the value itself happen in the parser.
    private mutating func dateTime() throws(FHIRPathError) -> FHIRPathToken {
        let start = self.index
        self.index += 1
        if self.peek() == "T" {
            self.index += 1
            return FHIRPathToken(kind: .time, text: self.timeText(), position: start)
        }
        var text = String.UnicodeScalarView()
        while let scalar = self.peek(), Self.isDigit(scalar) || (scalar == "-" && Self.isDigit(self.peek(1))) {
            text.append(scalar)
            self.index += 1
        }
        guard !text.isEmpty else { throw .syntax("expected a date after '@'", at: start) }
        if self.peek() == "T" {
            self.index += 1
            text.append("T")
            text.append(contentsOf: self.timeText().unicodeScalars)
            if self.peek() == "Z" {
                self.index += 1
                text.append("Z")
            } else if let sign = self.peek(), sign == "+" || sign == "-", Self.isDigit(self.peek(1)),
                Self.isDigit(self.peek(2)), self.peek(3) == ":"
            {
                for _ in 0..<6 {
                    if let scalar = self.peek() { text.append(scalar) }
                    self.index += 1
                }
            }
        }
        return FHIRPathToken(kind: .dateTime, text: String(text), position: start)
    }

    private mutating func timeText() -> String {
        var text = String.UnicodeScalarView()
        while let scalar = self.peek(),
            Self.isDigit(scalar) || ((scalar == ":" || scalar == ".") && Self.isDigit(self.peek(1)))
        {
            text.append(scalar)
            self.index += 1
        }
        return String(text)
    }
}
