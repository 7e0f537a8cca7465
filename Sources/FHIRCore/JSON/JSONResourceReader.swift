/// Reads one FHIR JSON resource into the ``Element`` tree in a single pass over the bytes: the
/// ``JSONScanner`` tokenises and this type resolves each key against the type's ``JSONPropertyTable`` as
/// it goes, so no generic JSON value is ever built.
///
/// Problems with the JSON itself, and broken limits, are fatal and thrown; problems with the FHIR content
/// (unknown keys, wrong kinds, empty arrays) become error issues and the value is skipped.
struct JSONResourceReader {
    var scanner: JSONScanner
    let limits: ReadLimits
    let tables = JSONPropertyTables.shared
    /// The table of `Element` (its `id` and `extension`): what a primitive's `_x` object may hold.
    let companionTable: Int
    var issues = Outcome()
    var path = ElementPath(root: "")
    /// Objects and arrays open around the cursor.
    var depth = 0
    var elementCount = 0
    /// Properties seen in each open object, innermost last: duplicate detection without a set per object.
    var seenProperties: [Int32] = []

    init(_ bytes: UnsafeBufferPointer<UInt8>, limits: ReadLimits) {
        self.scanner = JSONScanner(bytes)
        self.limits = limits
        guard let companionTable = JSONPropertyTables.shared.index(of: "Element") else {
            preconditionFailure("R4Definitions lacks the Element type")
        }
        self.companionTable = companionTable
        self.seenProperties.reserveCapacity(256)
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
        guard R4Metadata.shared.isResource(found.name), let table = self.tables.index(of: found.name) else {
            throw Outcome.fatal(.invalid, "unknown resourceType \"\(found.name)\"", at: found.location)
        }
        self.path = ElementPath(root: found.name)
        try self.countElement()
        let children = try self.readMembers(of: table)
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

    /// Reads the object at the cursor as an instance of the type of `table` and returns its children in
    /// definition order. On a resource, `resourceType` was already resolved by ``peekResourceType()``.
    mutating func readMembers(of table: Int) throws(Outcome) -> [Element] {
        try self.enterContainer()
        self.scanner.skipWhitespace()
        if self.scanner.current == .closeBrace {
            self.scanner.position += 1
            self.depth -= 1
            return []
        }
        var children = JSONObjectChildren()
        let seenBase = self.seenProperties.count
        defer { self.seenProperties.removeSubrange(seenBase...) }
        var unknownKeys: JSONKeySet?
        while true {
            self.scanner.skipWhitespace()
            guard self.scanner.current == .quote else { throw self.scanner.unexpected(expecting: "a key") }
            let keyLocation = self.scanner.location
            var unknownKey: String?
            var found: Int?
            if let span = self.scanner.readPlainKey() {
                found = self.tables.tables[table].lookup(span)
                if found == nil { unknownKey = String(decoding: span, as: UTF8.self) }
            } else {
                var key = try self.scanner.readString()
                found = key.withUTF8 { self.tables.tables[table].lookup($0) }
                if found == nil { unknownKey = key }
            }
            if let found {
                // A handful of keys per object: a linear scan beats hashing.
                let id = Int32(truncatingIfNeeded: found)
                if self.seenProperties[seenBase...].contains(id) {
                    let key = self.tables.tables[table].key(at: found)
                    throw Outcome.fatal(.structure, "duplicate key \"\(key)\" in one object", at: keyLocation)
                }
                self.seenProperties.append(id)
            } else if let unknownKey {
                // Unknown keys are rare, so their set is made only when one turns up.
                if unknownKeys == nil { unknownKeys = JSONKeySet() }
                guard unknownKeys!.insert(unknownKey) else {
                    throw Outcome.fatal(.structure, "duplicate key \"\(unknownKey)\" in one object", at: keyLocation)
                }
            }
            self.scanner.skipWhitespace()
            try self.scanner.expect(.colon, "':'")
            self.scanner.skipWhitespace()
            if let found {
                let property = self.tables.tables[table].properties[found]
                try self.readProperty(property, at: keyLocation, into: &children)
            } else {
                try self.readUnknown(unknownKey ?? "", in: table, at: keyLocation)
            }
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
                .required,
                self.path.appending(empty.name, index: empty.index),
                "\(empty.name) has neither a value nor an id or extension (null in both the value and its _ companion)",
                at: empty.location
            )
        }
        return elements
    }

    /// Reports and skips a key the type does not define.
    private mutating func readUnknown(_ key: String, in table: Int, at location: SourceLocation) throws(Outcome) {
        let message =
            key == "resourceType"
            ? "resourceType is only allowed on a resource"
            : "unknown element \"\(key)\" in \(self.tables.tables[table].typeName)"
        self.report(.structure, self.path.appending(key), message, at: location)
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
