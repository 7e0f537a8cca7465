/// A recursive-descent parser for FHIRPath with the operator precedence of
/// https://hl7.org/fhirpath/N1/#operator-precedence (lowest first: `implies`, `or`/`xor`, `and`,
/// `in`/`contains`, equality, comparison, `|`, `is`/`as`, additive, multiplicative, unary, invocation).
struct FHIRPathParser {
    private let tokens: [FHIRPathToken]
    private var position = 0

    static func parse(_ text: String) throws(FHIRPathError) -> FHIRPathNode {
        var parser = FHIRPathParser(tokens: try FHIRPathLexer.tokens(text))
        let node = try parser.expression()
        let rest = parser.current
        guard rest.kind == .end else { throw .syntax("unexpected '\(rest.text)'", at: rest.position) }
        return node
    }

    private init(tokens: [FHIRPathToken]) {
        self.tokens = tokens
    }

    private var current: FHIRPathToken { self.tokens[self.position] }

    private mutating func advance() -> FHIRPathToken {
        let token = self.current
        if token.kind != .end { self.position += 1 }
        return token
    }

    private mutating func expect(_ symbol: String) throws(FHIRPathError) {
        guard self.current.isSymbol(symbol) else {
            let found = self.current.kind == .end ? "end of expression" : "'\(self.current.text)'"
            throw .syntax("expected '\(symbol)', found \(found)", at: self.current.position)
        }
        self.position += 1
    }

    /// The operator at the current token when it belongs to the given level.
    private func binaryOperator(_ level: Set<FHIRPathOperator>) -> FHIRPathOperator? {
        let token = self.current
        guard token.kind == .symbol || token.kind == .identifier, let op = FHIRPathOperator(rawValue: token.text),
            level.contains(op)
        else { return nil }
        return op
    }

    private static let levels: [Set<FHIRPathOperator>] = [
        [.implies], [.or, .xor], [.and], [.in, .contains],
        [.equal, .equivalent, .notEqual, .notEquivalent],
        [.less, .greater, .lessOrEqual, .greaterOrEqual],
        [.union],
    ]

    mutating func expression() throws(FHIRPathError) -> FHIRPathNode {
        try self.binary(level: 0)
    }

    private mutating func binary(level: Int) throws(FHIRPathError) -> FHIRPathNode {
        guard level < Self.levels.count else { return try self.typeExpression() }
        var left = try self.binary(level: level + 1)
        while let op = self.binaryOperator(Self.levels[level]) {
            self.position += 1
            let right = try self.binary(level: level + 1)
            left = .binary(op, left, right)
        }
        return left
    }

    private mutating func typeExpression() throws(FHIRPathError) -> FHIRPathNode {
        var left = try self.additive()
        while self.current.kind == .identifier, self.current.text == "is" || self.current.text == "as" {
            let isTest = self.advance().text == "is"
            left = .typeOperator(isTest: isTest, left, try self.typeSpecifier())
        }
        return left
    }

    mutating func typeSpecifier() throws(FHIRPathError) -> FHIRPathTypeSpecifier {
        var names = [try self.identifierName()]
        while self.current.isSymbol("."),
            self.tokens[self.position + 1].kind == .identifier
                || self.tokens[self.position + 1].kind == .quotedIdentifier
        {
            self.position += 1
            names.append(try self.identifierName())
        }
        if names.count == 1 { return FHIRPathTypeSpecifier(namespace: nil, name: names[0]) }
        return FHIRPathTypeSpecifier(namespace: names[0], name: names.dropFirst().joined(separator: "."))
    }

    private mutating func identifierName() throws(FHIRPathError) -> String {
        let token = self.current
        guard token.kind == .identifier || token.kind == .quotedIdentifier else {
            throw .syntax("expected a name", at: token.position)
        }
        self.position += 1
        return token.text
    }

    private mutating func additive() throws(FHIRPathError) -> FHIRPathNode {
        var left = try self.multiplicative()
        while let op = self.binaryOperator([.plus, .minus, .concatenate]) {
            self.position += 1
            left = .binary(op, left, try self.multiplicative())
        }
        return left
    }

    private mutating func multiplicative() throws(FHIRPathError) -> FHIRPathNode {
        var left = try self.unary()
        while let op = self.binaryOperator([.multiply, .divide, .div, .mod]) {
            self.position += 1
            left = .binary(op, left, try self.unary())
        }
        return left
    }

    private mutating func unary() throws(FHIRPathError) -> FHIRPathNode {
        if self.current.isSymbol("-") {
            self.position += 1
            let operand = try self.unary()
            // Fold negative numeric literals so `-1` is a literal, as the grammar's tests expect.
            if case .literal(let values) = operand, values.count == 1 {
                switch values[0] {
                case .integer(let value): return .literal([.integer(-value)])
                case .decimal(let value): return .literal([.decimal(-value)])
                case .quantity(var value):
                    value.value = -value.value
                    return .literal([.quantity(value)])
                default: break
                }
            }
            return .negate(operand)
        }
        if self.current.isSymbol("+") {
            self.position += 1
            return try self.unary()
        }
        return try self.postfix(try self.term())
    }

    private mutating func postfix(_ base: FHIRPathNode) throws(FHIRPathError) -> FHIRPathNode {
        var node = base
        while true {
            if self.current.isSymbol(".") {
                self.position += 1
                let token = self.current
                guard token.kind == .identifier || token.kind == .quotedIdentifier else {
                    throw .syntax("expected a name after '.'", at: token.position)
                }
                self.position += 1
                if token.kind == .identifier, self.current.isSymbol("(") {
                    node = .function(node, token.text, try self.arguments(), position: token.position)
                } else {
                    node = .member(node, token.text)
                }
            } else if self.current.isSymbol("[") {
                self.position += 1
                let index = try self.expression()
                try self.expect("]")
                node = .indexer(node, index)
            } else {
                return node
            }
        }
    }

    private mutating func arguments() throws(FHIRPathError) -> [FHIRPathNode] {
        try self.expect("(")
        var arguments: [FHIRPathNode] = []
        if self.current.isSymbol(")") {
            self.position += 1
            return arguments
        }
        while true {
            arguments.append(try self.expression())
            if self.current.isSymbol(",") {
                self.position += 1
                continue
            }
            try self.expect(")")
            return arguments
        }
    }

    private mutating func term() throws(FHIRPathError) -> FHIRPathNode {
        let token = self.advance()
        switch token.kind {
        case .end:
            throw .syntax("unexpected end of expression", at: token.position)
        case .string:
            return .literal([.string(token.text)])
        case .number, .longNumber:
            let number: FHIRPathValue
            if token.kind == .number, token.text.contains(".") {
                guard let value = FHIRDecimal(token.text) else { throw .syntax("number too large", at: token.position) }
                number = .decimal(value)
            } else {
                guard let value = Int(token.text) else { throw .syntax("integer too large", at: token.position) }
                number = .integer(value)
            }
            return .literal([try self.quantitySuffix(number) ?? number])
        case .dateTime:
            let hasTime = token.text.contains("T")
            guard let value = FHIRPathDateTime(dateTime: token.text) else {
                throw .syntax("invalid date '@\(token.text)'", at: token.position)
            }
            return .literal([hasTime ? .dateTime(value) : .date(value)])
        case .time:
            guard let value = FHIRPathDateTime(time: token.text) else {
                throw .syntax("invalid time '@T\(token.text)'", at: token.position)
            }
            return .literal([.time(value)])
        case .variable:
            return .variable(token.text)
        case .quotedIdentifier:
            return .member(nil, token.text)
        case .identifier:
            switch token.text {
            case "true": return .literal([.boolean(true)])
            case "false": return .literal([.boolean(false)])
            case "$this": return .this
            case "$index": return .index
            case "$total": return .total
            default: break
            }
            if token.text.hasPrefix("$") { throw .syntax("unknown '\(token.text)'", at: token.position) }
            if self.current.isSymbol("(") {
                return .function(nil, token.text, try self.arguments(), position: token.position)
            }
            return .member(nil, token.text)
        case .symbol:
            switch token.text {
            case "(":
                let inner = try self.expression()
                try self.expect(")")
                return inner
            case "{":
                try self.expect("}")
                return .literal([])
            default:
                throw .syntax("unexpected '\(token.text)'", at: token.position)
            }
        }
    }

    /// A unit after a number makes a quantity: `4 'mg'`, `2 weeks`.
    private mutating func quantitySuffix(_ number: FHIRPathValue) throws(FHIRPathError) -> FHIRPathValue? {
        let value: FHIRDecimal
        switch number {
        case .integer(let integer): value = FHIRDecimal(integer)
        case .decimal(let decimal): value = decimal
        default: return nil
        }
        let token = self.current
        if token.kind == .string {
            self.position += 1
            return .quantity(FHIRPathQuantity(value: value, unit: token.text))
        }
        if token.kind == .identifier, FHIRPathQuantity.calendarKeywords.contains(token.text) {
            self.position += 1
            return .quantity(FHIRPathQuantity(value: value, unit: token.text))
        }
        return nil
    }
}
