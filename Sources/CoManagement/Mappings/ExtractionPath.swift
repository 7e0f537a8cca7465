public import FHIRCore

/// A compiled field expression from `extraction.json`: the subset of FHIRPath the mappings use.
///
/// Why a subset here: the full FHIRPath engine (`Sources/CoManagement/FHIRPath`) is being written in
/// parallel; until it is merged this keeps the mappings data-driven with the same syntax, so switching
/// to the engine changes this one type and nothing in `Mappings/`. Supported: member navigation
/// (`detail.scheduled`), an optional leading resource type (`Patient.name`), union (`a | b`), and the
/// functions `first()`, `last()`, `resolve()`, `ofType(Type)`, `extension('url')` and
/// `where(name = 'literal')`. Anything else is a parse error, reported when the mappings load.
public struct ExtractionPath: Sendable, Hashable, CustomStringConvertible {
    /// One step of a path.
    enum Step: Sendable, Hashable {
        case member(String)
        case first, last, resolve
        case ofType(String)
        case `extension`(url: String)
        case whereEquals(member: String, literal: String)
    }

    /// Why the text is not a supported expression; `offset` is the 0-based character position.
    public struct ParseError: Error, Sendable, Hashable {
        public var message: String
        public var offset: Int
    }

    /// The expression as written in the mapping file.
    public let text: String
    /// Alternatives joined by `|`, each a sequence of steps.
    let branches: [[Step]]

    /// Compiles the expression.
    /// - Throws: ``ParseError`` for syntax outside the supported subset.
    public init(_ text: String) throws(ParseError) {
        self.text = text
        var parser = Parser(Array(text.unicodeScalars))
        self.branches = try parser.parseUnion()
    }

    public var description: String { self.text }

    /// Evaluates the expression on a resource; primitives come back as their nodes (`value` set).
    /// - Parameters:
    ///   - resource: the resource the expression starts at.
    ///   - resolve: what `resolve()` does with a `Reference` node: the referenced resource, if held.
    public func evaluate(on resource: Element, resolve: (Element) -> Element?) -> [Element] {
        var result: [Element] = []
        for branch in self.branches {
            var steps = branch[...]
            // `Patient.identifier` and `identifier` mean the same on a Patient.
            if case .member(let name) = steps.first, name == resource.type, steps.count > 1 { steps = steps.dropFirst() }
            var focus = [resource]
            for step in steps { focus = Self.apply(step, to: focus, resolve: resolve) }
            for node in focus where !result.contains(node) { result.append(node) }
        }
        return result
    }

    private static func apply(_ step: Step, to focus: [Element], resolve: (Element) -> Element?) -> [Element] {
        switch step {
        case .member(let name): return focus.flatMap { $0.children(named: name) }
        case .first: return Array(focus.prefix(1))
        case .last: return focus.last.map { [$0] } ?? []
        case .resolve: return focus.compactMap(resolve)
        case .ofType(let type): return focus.filter { $0.type == type }
        case .extension(let url):
            return focus.flatMap { $0.children(named: "extension").filter { $0.string("url") == url } }
        case .whereEquals(let member, let literal):
            return focus.filter { node in node.children(named: member).contains { $0.value == literal } }
        }
    }
}

extension ExtractionPath {
    /// A hand-written recursive-descent parser for the subset.
    fileprivate struct Parser {
        let scalars: [Unicode.Scalar]
        var index = 0

        init(_ scalars: [Unicode.Scalar]) {
            self.scalars = scalars
        }

        mutating func parseUnion() throws(ParseError) -> [[Step]] {
            var branches = [try self.parsePath()]
            while self.skipSpace() == "|" {
                self.index += 1
                branches.append(try self.parsePath())
            }
            guard self.skipSpace() == nil else { throw self.error("unexpected '\(self.scalars[self.index])'") }
            return branches
        }

        private func error(_ message: String) -> ParseError {
            ParseError(message: message, offset: self.index)
        }

        @discardableResult
        private mutating func skipSpace() -> Unicode.Scalar? {
            while self.index < self.scalars.count, self.scalars[self.index].properties.isWhitespace { self.index += 1 }
            return self.index < self.scalars.count ? self.scalars[self.index] : nil
        }

        private mutating func expect(_ scalar: Unicode.Scalar) throws(ParseError) {
            guard self.skipSpace() == scalar else { throw self.error("expected '\(scalar)'") }
            self.index += 1
        }

        private mutating func parsePath() throws(ParseError) -> [Step] {
            var steps = [try self.parseStep()]
            while self.skipSpace() == "." {
                self.index += 1
                steps.append(try self.parseStep())
            }
            return steps
        }

        private mutating func identifier() throws(ParseError) -> String {
            self.skipSpace()
            let start = self.index
            while self.index < self.scalars.count {
                let scalar = self.scalars[self.index]
                guard scalar == "_" || scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) else { break }
                self.index += 1
            }
            guard self.index > start, !("0"..."9").contains(self.scalars[start]) else {
                throw self.error("expected a name")
            }
            var text = String.UnicodeScalarView()
            text.append(contentsOf: self.scalars[start..<self.index])
            return String(text)
        }

        private mutating func stringLiteral() throws(ParseError) -> String {
            guard self.skipSpace() == "'" else { throw self.error("expected a quoted string") }
            self.index += 1
            var text = String.UnicodeScalarView()
            while self.index < self.scalars.count, self.scalars[self.index] != "'" {
                if self.scalars[self.index] == "\\", self.index + 1 < self.scalars.count { self.index += 1 }
                text.append(self.scalars[self.index])
                self.index += 1
            }
            guard self.index < self.scalars.count else { throw self.error("unterminated string") }
            self.index += 1
            return String(text)
        }

        private mutating func parseStep() throws(ParseError) -> Step {
            let name = try self.identifier()
            guard self.skipSpace() == "(" else { return .member(name) }
            self.index += 1
            let step: Step
            switch name {
            case "first": step = .first
            case "last": step = .last
            case "resolve": step = .resolve
            case "ofType": step = .ofType(try self.identifier())
            case "extension": step = .extension(url: try self.stringLiteral())
            case "where":
                let member = try self.identifier()
                try self.expect("=")
                step = .whereEquals(member: member, literal: try self.stringLiteral())
            default:
                throw self.error("function '\(name)' is not supported in extraction expressions")
            }
            try self.expect(")")
            return step
        }
    }
}
