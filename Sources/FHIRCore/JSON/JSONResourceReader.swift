/// Reads one FHIR JSON resource into the ``Element`` tree in a single pass over the bytes: the
/// ``JSONScanner`` tokenises and this type resolves each key against the R4 metadata as it goes, so no
/// generic JSON value is ever built.
///
/// Problems with the JSON itself, and broken limits, are fatal and thrown; problems with the FHIR content
/// (unknown keys, wrong kinds, empty arrays) become error issues and the value is skipped.
struct JSONResourceReader {
    var scanner: JSONScanner
    let limits: ReadLimits
    let metadata = R4Metadata.shared
    /// The definition of `Element` (its `id` and `extension`): what a primitive's `_x` object may hold.
    let primitiveExtras: TypeDefinition
    var issues = Outcome()
    var path = ElementPath(root: "")
    /// Objects and arrays open around the cursor.
    var depth = 0
    var elementCount = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>, limits: ReadLimits) {
        self.scanner = JSONScanner(bytes)
        self.limits = limits
        guard let extras = R4Metadata.shared.type(named: "Element") else {
            preconditionFailure("R4Definitions lacks the Element type")
        }
        self.primitiveExtras = extras
    }

    /// Reads the whole input as one resource.
    mutating func readRoot() throws(Outcome) -> ParsedResource {
        self.scanner.skipWhitespace()
        let location = self.scanner.location
        guard self.scanner.current == .openBrace else {
            if self.scanner.isAtEnd { throw self.scanner.failure("the document is empty") }
            throw self.scanner.failure("a FHIR JSON resource must be a JSON object")
        }
        guard let found = try self.peekResourceType() else {
            throw Outcome.fatal(.invalid, "the resource has no resourceType string", at: location)
        }
        guard self.metadata.isResource(found.name), let type = self.metadata.type(named: found.name) else {
            throw Outcome.fatal(.invalid, "unknown resourceType \"\(found.name)\"", at: found.location)
        }
        self.path = ElementPath(root: found.name)
        try self.countElement()
        let children = try self.readMembers(of: type, isResource: true)
        self.scanner.skipWhitespace()
        guard self.scanner.isAtEnd else { throw self.scanner.failure("unexpected content after the resource") }
        let root = Element(name: found.name, type: found.name, children: children, location: location)
        return ParsedResource(root: root, issues: self.issues)
    }

    /// Finds the `resourceType` of the object at the cursor without consuming it. Senders nearly always
    /// write it first, so this usually reads one key; otherwise it skims the object once more.
    mutating func peekResourceType() throws(Outcome) -> (name: String, location: SourceLocation)? {
        let saved = (self.scanner.position, self.scanner.line, self.scanner.lineStart)
        defer { (self.scanner.position, self.scanner.line, self.scanner.lineStart) = saved }
        self.scanner.position += 1
        while true {
            self.scanner.skipWhitespace()
            if self.scanner.current == .closeBrace { return nil }
            guard self.scanner.current == .quote else { throw self.scanner.unexpected(expecting: "a key") }
            let key = try self.scanner.readString()
            self.scanner.skipWhitespace()
            try self.scanner.expect(.colon, "':'")
            self.scanner.skipWhitespace()
            if key == "resourceType" {
                guard self.scanner.current == .quote else { return nil }
                let location = self.scanner.location
                return (try self.scanner.readString(), location)
            }
            try self.scanner.skipValue(depth: self.depth + 1, maxDepth: self.limits.maxDepth)
            self.scanner.skipWhitespace()
            if self.scanner.current == .comma {
                self.scanner.position += 1
            } else if self.scanner.current == .closeBrace {
                return nil
            } else {
                throw self.scanner.unexpected(expecting: "',' or '}'")
            }
        }
    }

    /// Reads the object at the cursor as an instance of `type` and returns its children in definition
    /// order. At a resource position `resourceType` was already resolved by ``peekResourceType()``.
    mutating func readMembers(of type: TypeDefinition, isResource: Bool) throws(Outcome) -> [Element] {
        try self.enterContainer()
        self.scanner.skipWhitespace()
        if self.scanner.current == .closeBrace {
            self.scanner.position += 1
            self.depth -= 1
            return []
        }
        var children = JSONObjectChildren()
        var keys = KeySet()
        while true {
            self.scanner.skipWhitespace()
            guard self.scanner.current == .quote else { throw self.scanner.unexpected(expecting: "a key") }
            let keyLocation = self.scanner.location
            let key = try self.scanner.readString()
            guard keys.insert(key) else {
                throw Outcome.fatal(.structure, "duplicate key \"\(key)\" in one object", at: keyLocation)
            }
            self.scanner.skipWhitespace()
            try self.scanner.expect(.colon, "':'")
            self.scanner.skipWhitespace()
            try self.readMember(key: key, at: keyLocation, of: type, isResource: isResource, into: &children)
            self.scanner.skipWhitespace()
            if self.scanner.current == .comma {
                self.scanner.position += 1
            } else if self.scanner.current == .closeBrace {
                self.scanner.position += 1
                break
            } else {
                throw self.scanner.unexpected(expecting: "',' or '}'")
            }
        }
        self.depth -= 1
        let (elements, empties) = children.finish()
        for empty in empties {
            self.report(
                .required, self.path.appending(empty.name, index: empty.index),
                "\(empty.name) has neither a value nor an id or extension (null in both the value and its _ companion)",
                at: empty.location)
        }
        return elements
    }

    /// Dispatches one key: `resourceType`, a `_x` companion, a known element, or an unknown key.
    private mutating func readMember(
        key: String,
        at location: SourceLocation,
        of type: TypeDefinition,
        isResource: Bool,
        into children: inout JSONObjectChildren
    ) throws(Outcome) {
        if key == "resourceType" {
            if !isResource {
                self.report(.structure, self.path.appending(key), "resourceType is only allowed on a resource", at: location)
            }
            try self.skipValue()
            return
        }
        if key.utf8.first == UInt8(ascii: "_") {
            let wireName = String(key.utf8.dropFirst())!
            // Only primitives written as JSON properties have companions; Element.id and Extension.url do not.
            if let hit = type.element(wireName: wireName), hit.definition.representation == .element,
                self.metadata.isPrimitive(hit.type)
            {
                try self.readCompanion(hit.definition, type: hit.type, key: wireName, at: location, into: &children)
                return
            }
        } else if let hit = type.element(wireName: key) {
            try self.readProperty(hit.definition, type: hit.type, key: key, at: location, into: &children)
            return
        }
        self.report(.structure, self.path.appending(key), "unknown element \"\(key)\" in \(type.name)", at: location)
        try self.skipValue()
    }

    /// Records a non-fatal error.
    mutating func report(_ code: Issue.Code, _ path: String, _ message: String, at location: SourceLocation) {
        self.issues.append(Issue(.error, code, path: path, message, at: location))
    }

    /// Skips the value at the cursor, still checking its syntax and nesting.
    mutating func skipValue() throws(Outcome) {
        try self.scanner.skipValue(depth: self.depth, maxDepth: self.limits.maxDepth)
    }

    /// Counts an object or array being opened against ``ReadLimits/maxDepth``.
    mutating func enterContainer() throws(Outcome) {
        guard self.depth < self.limits.maxDepth else {
            throw self.scanner.failure("nesting deeper than \(self.limits.maxDepth) levels", code: .tooCostly)
        }
        self.depth += 1
        self.scanner.position += 1
    }

    /// Counts one more tree node against ``ReadLimits/maxElements``.
    mutating func countElement() throws(Outcome) {
        self.elementCount += 1
        guard self.elementCount <= self.limits.maxElements else {
            throw self.scanner.failure("more than \(self.limits.maxElements) elements", code: .tooCostly)
        }
    }
}
