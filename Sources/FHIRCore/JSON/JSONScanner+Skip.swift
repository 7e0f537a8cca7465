/// Skipping values the tree does not keep (unknown keys, wrong kinds) while still checking them fully:
/// a document with a syntax error, bad UTF-8 or a duplicate key is rejected wherever the error sits.
extension JSONScanner {
    /// One open container while skipping.
    private struct OpenContainer {
        var isObject: Bool
        var keys: JSONKeySet
    }

    /// Consumes one complete value at the cursor without building anything.
    ///
    /// Iterative, with an explicit stack, so `[[[[…` ten thousand deep costs no call stack; nesting is
    /// still bounded by `maxDepth`, counted from `depth`, the nesting of the value's container.
    mutating func skipValue(depth: Int, maxDepth: Int) throws(Outcome) {
        var stack: [OpenContainer] = []
        while true {
            // At the start of a value.
            self.skipWhitespace()
            switch self.current {
            case .openBrace, .openBracket:
                let isObject = self.current == .openBrace
                guard depth + stack.count < maxDepth else {
                    throw self.failure("nesting deeper than \(maxDepth) levels", code: .tooCostly)
                }
                self.position += 1
                stack.append(OpenContainer(isObject: isObject, keys: JSONKeySet()))
                self.skipWhitespace()
                if self.current == (isObject ? .closeBrace : .closeBracket) {
                    self.position += 1
                    stack.removeLast()
                } else if isObject {
                    try self.skipKey(into: &stack[stack.count - 1].keys)
                    continue
                } else {
                    continue
                }
            case .quote:
                try self.skipString()
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                try self.skipNumber()
            default:
                _ = try self.readLiteral()
            }
            // After a value: close containers or move to the next member.
            while true {
                guard let top = stack.last else { return }
                self.skipWhitespace()
                if self.current == .comma {
                    self.position += 1
                    if top.isObject { try self.skipKey(into: &stack[stack.count - 1].keys) }
                    break
                }
                guard self.current == (top.isObject ? .closeBrace : .closeBracket) else {
                    throw self.unexpected(expecting: top.isObject ? "',' or '}'" : "',' or ']'")
                }
                self.position += 1
                stack.removeLast()
            }
        }
    }

    /// Consumes `"key":` inside a skipped object, rejecting a key seen before in that object.
    private mutating func skipKey(into keys: inout JSONKeySet) throws(Outcome) {
        self.skipWhitespace()
        guard self.current == .quote else { throw self.unexpected(expecting: "a key") }
        let location = self.location
        let key = try self.readString()
        guard keys.insert(key) else {
            throw Outcome.fatal(.structure, "duplicate key \"\(key)\" in one object", at: location)
        }
        self.skipWhitespace()
        try self.expect(.colon, "':'")
    }
}
