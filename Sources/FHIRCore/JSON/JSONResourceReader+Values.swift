/// Values of known properties: complex objects, nested resources, primitives and their `_x` companions,
/// each checked against the JSON kind R4 prescribes (https://hl7.org/fhir/R4/json.html).
extension JSONResourceReader {
    /// Reads the value of a known property into `children`.
    mutating func readProperty(
        _ property: JSONPropertyTable.Property,
        at location: SourceLocation,
        into children: inout JSONObjectChildren
    ) throws(Outcome) {
        switch property.kind {
        case .resourceType:
            // Resolved by peekResourceType() before this object was read.
            try self.skipValue()
        case .xhtml:
            // The narrative div is XHTML markup in a JSON string; another stage checks the markup.
            guard self.scanner.current == .quote else {
                return try self.wrongKind(property.name, expected: "a string", at: location)
            }
            let markup = try self.scanner.readString()
            try self.countElement()
            children.append(
                Element(name: property.name, type: "xhtml", value: markup, location: location),
                order: property.order
            )
        case .undefined:
            self.report(
                .notSupported,
                self.path.appending(property.name),
                "no definition for type \(property.type)",
                at: location
            )
            try self.skipValue()
        case .primitive, .companion:
            try self.readPrimitive(property, at: location, into: &children)
        case .complex, .resource:
            guard property.isRepeating else {
                if let element = try self.readComplex(property, index: nil, at: location) {
                    children.append(element, order: property.order)
                }
                return
            }
            guard self.scanner.current == .openBracket else {
                return try self.wrongKind(property.name, expected: "an array (\(property.name) repeats)", at: location)
            }
            guard try self.openArray(property.name, at: location) else { return }
            var index = 0
            repeat {
                if let element = try self.readComplex(property, index: index, at: self.scanner.location) {
                    children.append(element, order: property.order)
                }
                index += 1
            } while try self.nextItem()
        }
    }

    /// Reads a primitive's values (`given`) or its companion (`_given`): one value, or when the element
    /// repeats an array where `null` keeps an index free for the other half.
    private mutating func readPrimitive(
        _ property: JSONPropertyTable.Property,
        at location: SourceLocation,
        into children: inout JSONObjectChildren
    ) throws(Outcome) {
        let isCompanion: Bool
        if case .companion = property.kind { isCompanion = true } else { isCompanion = false }
        guard property.isRepeating else {
            guard
                let element = try self.readOccurrence(
                    property,
                    index: nil,
                    isCompanion: isCompanion,
                    inArray: false,
                    at: location
                )
            else { return }
            _ = children.mergePrimitive(
                [element],
                order: property.order,
                type: property.type,
                isRepeating: false,
                areCompanions: isCompanion
            )
            return
        }
        let key = isCompanion ? "_" + property.name : property.name
        guard self.scanner.current == .openBracket else {
            return try self.wrongKind(key, expected: "an array (\(property.name) repeats)", at: location)
        }
        guard try self.openArray(key, at: location) else { return }
        var items: [Element] = []
        repeat {
            let itemLocation = self.scanner.location
            let isNull = self.scanner.current == UInt8(ascii: "n")
            let item = try self.readOccurrence(
                property,
                index: items.count,
                isCompanion: isCompanion,
                inArray: true,
                at: itemLocation
            )
            if item == nil && !isNull { children.noteReported(at: itemLocation) }
            items.append(item ?? Element(name: property.name, type: property.type, location: itemLocation))
        } while try self.nextItem()
        let mismatch = children.mergePrimitive(
            items,
            order: property.order,
            type: property.type,
            isRepeating: true,
            areCompanions: isCompanion
        )
        if let mismatch {
            let (values, companions) =
                isCompanion ? (mismatch.existing, mismatch.new) : (mismatch.new, mismatch.existing)
            self.report(
                .structure,
                self.path.appending(property.name),
                "\(property.name) has \(values) items but _\(property.name) has \(companions); they must align by index",
                at: location
            )
        }
    }

    /// One occurrence of a primitive: a value, or a companion object. Nil for `null` (allowed in arrays,
    /// where the caller keeps the index) and for values of the wrong kind.
    private mutating func readOccurrence(
        _ property: JSONPropertyTable.Property,
        index: Int?,
        isCompanion: Bool,
        inArray: Bool,
        at location: SourceLocation
    ) throws(Outcome) -> Element? {
        if inArray && self.scanner.current == UInt8(ascii: "n") {
            _ = try self.readNull()
            return nil
        }
        if isCompanion {
            guard self.scanner.current == .openBrace else {
                try self.wrongKind("_" + property.name, index: index, expected: "an object", at: location)
                return nil
            }
            let extras = try self.readExtras(name: property.name, index: index, at: location)
            guard !extras.isEmpty else { return nil }
            try self.countElement()
            return Element(name: property.name, type: property.type, children: extras, location: location)
        }
        guard case .primitive(let kind) = property.kind,
            let value = try self.readScalar(kind, type: property.type, name: property.name, index: index, at: location)
        else { return nil }
        try self.countElement()
        return Element(name: property.name, type: property.type, value: value, location: location)
    }

    /// The `id` and `extension` children inside a `_x` object.
    private mutating func readExtras(
        name: String,
        index: Int?,
        at location: SourceLocation
    ) throws(Outcome) -> [Element] {
        self.path.push(name, index: index)
        defer { self.path.pop() }
        if self.nextIsEmptyObject() { self.report(.required, self.path.description, "empty object", at: location) }
        return try self.readMembers(of: self.companionTable)
    }

    /// Reads an object of a complex type, or a resource at a resource position.
    private mutating func readComplex(
        _ property: JSONPropertyTable.Property,
        index: Int?,
        at location: SourceLocation
    ) throws(Outcome) -> Element? {
        guard self.scanner.current == .openBrace else {
            try self.wrongKind(property.name, index: index, expected: "an object", at: location)
            return nil
        }
        guard case .complex(let table) = property.kind else {
            return try self.readResource(name: property.name, index: index, at: location)
        }
        self.path.push(property.name, index: index)
        defer { self.path.pop() }
        if self.nextIsEmptyObject() { self.report(.required, self.path.description, "empty object", at: location) }
        try self.countElement()
        let children = try self.readMembers(of: table)
        return children.isEmpty
            ? nil : Element(name: property.name, type: property.type, children: children, location: location)
    }

    /// Reads a resource in a resource position (`contained`, `Bundle.entry.resource`, …).
    private mutating func readResource(
        name: String,
        index: Int?,
        at location: SourceLocation
    ) throws(Outcome) -> Element? {
        guard let found = try self.peekResourceType() else {
            self.report(
                .structure,
                self.path.appending(name, index: index),
                "a resource here needs a resourceType string",
                at: location
            )
            try self.skipValue()
            return nil
        }
        guard R4Metadata.shared.isResource(found.name), let table = self.tables.index(of: found.name) else {
            self.report(
                .invalid,
                self.path.appending(name, index: index),
                "unknown resourceType \"\(found.name)\"",
                at: found.location
            )
            try self.skipValue()
            return nil
        }
        self.path.push(name, index: index)
        defer { self.path.pop() }
        try self.countElement()
        let children = try self.readMembers(of: table)
        return Element(name: name, type: found.name, children: children, location: location)
    }
}
