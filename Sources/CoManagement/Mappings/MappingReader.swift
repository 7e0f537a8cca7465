import FHIRCore

/// Reads the fields of one mapping file's JSON objects, recording every problem instead of stopping.
///
/// Each getter returns nil (and records why) when a field is missing or of the wrong type, so a loader
/// can read on and report all problems of a file at once. ``ObjectFields/finish()`` reports members that
/// were never asked for: a misspelt field must not be silently ignored.
struct MappingReader {
    let file: String
    private(set) var problems: [MappingProblem] = []

    init(file: String) {
        self.file = file
    }

    mutating func error(_ message: String, at location: SourceLocation) {
        self.problems.append(MappingProblem(.error, file: self.file, at: location, message))
    }

    /// How many errors (not warnings) have been recorded so far.
    var errorCount: Int { self.problems.count { $0.severity == .error } }

    mutating func warning(_ message: String, at location: SourceLocation) {
        self.problems.append(MappingProblem(.warning, file: self.file, at: location, message))
    }

    /// Parses the file's bytes, recording a syntax error with its position.
    mutating func parse(_ bytes: [UInt8]) -> JSONValue? {
        do {
            return try JSONValue.read(bytes)
        } catch {
            self.error("malformed JSON: \(error.message)", at: error.location)
            return nil
        }
    }

    /// Opens an object for field-by-field reading; nil (recorded) when the value is not an object.
    mutating func object(_ value: JSONValue, _ what: String) -> ObjectFields? {
        guard let members = value.objectMembers else {
            self.error("\(what) must be an object, found \(value.typeName)", at: value.location)
            return nil
        }
        var seen: Set<String> = []
        for member in members where !seen.insert(member.key).inserted {
            self.error("duplicate field '\(member.key)' in \(what)", at: member.keyLocation)
        }
        return ObjectFields(value: value, members: members, what: what)
    }

    mutating func string(_ value: JSONValue, _ what: String) -> String? {
        guard let text = value.stringValue else {
            self.error("\(what) must be a string, found \(value.typeName)", at: value.location)
            return nil
        }
        guard !text.isEmpty else {
            self.error("\(what) must not be empty", at: value.location)
            return nil
        }
        return text
    }

    mutating func array(_ value: JSONValue, _ what: String) -> [JSONValue]? {
        guard let items = value.arrayValue else {
            self.error("\(what) must be an array, found \(value.typeName)", at: value.location)
            return nil
        }
        return items
    }

    mutating func strings(_ value: JSONValue, _ what: String) -> [String]? {
        guard let items = self.array(value, what) else { return nil }
        let texts = items.compactMap { self.string($0, "each entry of \(what)") }
        return texts.count == items.count ? texts : nil
    }

    mutating func integer(_ value: JSONValue, _ what: String) -> Int? {
        guard case .number(let text) = value.kind, let number = Int(text) else {
            self.error("\(what) must be a whole number, found \(value.typeName)", at: value.location)
            return nil
        }
        return number
    }
}

/// The members of one JSON object being read; tracks which ones were asked for.
struct ObjectFields {
    let value: JSONValue
    let members: [JSONValue.Member]
    let what: String
    private var used: Set<String> = []

    init(value: JSONValue, members: [JSONValue.Member], what: String) {
        self.value = value
        self.members = members
        self.what = what
    }

    var location: SourceLocation { self.value.location }

    /// A field that must be present.
    mutating func required(_ key: String, _ reader: inout MappingReader) -> JSONValue? {
        self.used.insert(key)
        guard let member = self.members.first(where: { $0.key == key }) else {
            reader.error("missing field '\(key)' in \(self.what)", at: self.value.location)
            return nil
        }
        return member.value
    }

    /// A field that may be absent.
    mutating func optional(_ key: String) -> JSONValue? {
        self.used.insert(key)
        return self.members.first { $0.key == key }?.value
    }

    /// Reports every member that was not read.
    func finish(_ reader: inout MappingReader) {
        for member in self.members where !self.used.contains(member.key) {
            reader.error("unknown field '\(member.key)' in \(self.what)", at: member.keyLocation)
        }
    }
}
