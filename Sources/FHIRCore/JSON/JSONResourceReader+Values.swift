/// Values of known elements: complex objects, nested resources, primitives and their `_x` companions,
/// each checked against the JSON kind R4 prescribes (FHIR R4 JSON §2.6.2).
extension JSONResourceReader {
    /// Reads the value of a known element `key` (its wire name) into `children`.
    mutating func readProperty(
        _ definition: ElementDefinition,
        type: String,
        key: String,
        at location: SourceLocation,
        into children: inout JSONObjectChildren
    ) throws(Outcome) {
        if definition.representation == .xhtml {
            // The narrative div is XHTML markup in a JSON string; another stage checks the markup.
            guard self.scanner.current == .quote else { return try self.wrongKind(key, expected: "a string", at: location) }
            let markup = try self.scanner.readString()
            try self.countElement()
            children.append(Element(name: definition.name, type: "xhtml", value: markup, location: location), order: definition.order)
            return
        }
        let isPrimitive = self.metadata.isPrimitive(type)
        guard definition.isRepeating else {
            if isPrimitive {
                guard let value = try self.readScalar(type: type, name: definition.name, index: nil, at: location)
                else { return }
                try self.countElement()
                let element = Element(name: definition.name, type: type, value: value, location: location)
                _ = children.mergePrimitive([element], key: key, order: definition.order, isRepeating: false, areCompanions: false)
            } else if let element = try self.readComplex(name: definition.name, type: type, index: nil, at: location) {
                children.append(element, order: definition.order)
            }
            return
        }
        guard self.scanner.current == .openBracket else {
            return try self.wrongKind(key, expected: "an array (\(definition.name) repeats)", at: location)
        }
        guard try self.openArray(key, at: location) else { return }
        var items: [Element] = []
        repeat {
            let itemLocation = self.scanner.location
            let index = items.count
            if isPrimitive {
                // A null keeps its index so a `_x` companion can fill it; finish() reports it otherwise.
                let value =
                    self.scanner.current == UInt8(ascii: "n")
                    ? try self.readNull()
                    : try self.readScalar(type: type, name: definition.name, index: index, at: itemLocation)
                try self.countElement()
                items.append(Element(name: definition.name, type: type, value: value, location: itemLocation))
            } else if let element = try self.readComplex(name: definition.name, type: type, index: index, at: itemLocation) {
                items.append(element)
            } else {
                items.append(Element(name: "", type: ""))  // keeps the index; dropped below
            }
        } while try self.nextItem()
        if isPrimitive {
            self.mergePrimitive(items, definition: definition, key: key, at: location, areCompanions: false, into: &children)
        } else {
            for item in items where !item.name.isEmpty { children.append(item, order: definition.order) }
        }
    }

    /// Reads `_x`: the id and extensions of primitive `x`, an object or (when `x` repeats) an array of
    /// objects and nulls aligned with the values.
    mutating func readCompanion(
        _ definition: ElementDefinition,
        type: String,
        key: String,
        at location: SourceLocation,
        into children: inout JSONObjectChildren
    ) throws(Outcome) {
        guard definition.isRepeating else {
            guard self.scanner.current == .openBrace else { return try self.wrongKind("_" + key, expected: "an object", at: location) }
            let extras = try self.readExtras(name: definition.name, index: nil, at: location)
            guard !extras.isEmpty else { return }
            try self.countElement()
            let element = Element(name: definition.name, type: type, children: extras, location: location)
            _ = children.mergePrimitive([element], key: key, order: definition.order, isRepeating: false, areCompanions: true)
            return
        }
        guard self.scanner.current == .openBracket else {
            return try self.wrongKind("_" + key, expected: "an array (\(definition.name) repeats)", at: location)
        }
        guard try self.openArray("_" + key, at: location) else { return }
        var items: [Element] = []
        repeat {
            let itemLocation = self.scanner.location
            var extras: [Element] = []
            switch self.scanner.current {
            case UInt8(ascii: "n"):
                _ = try self.readNull()
            case .openBrace:
                extras = try self.readExtras(name: definition.name, index: items.count, at: itemLocation)
            default:
                try self.wrongKind("_" + key, expected: "an object or null", at: itemLocation)
            }
            try self.countElement()
            items.append(Element(name: definition.name, type: type, children: extras, location: itemLocation))
        } while try self.nextItem()
        self.mergePrimitive(items, definition: definition, key: key, at: location, areCompanions: true, into: &children)
    }

    private mutating func mergePrimitive(
        _ items: [Element],
        definition: ElementDefinition,
        key: String,
        at location: SourceLocation,
        areCompanions: Bool,
        into children: inout JSONObjectChildren
    ) {
        let mismatch = children.mergePrimitive(
            items, key: key, order: definition.order, isRepeating: true, areCompanions: areCompanions)
        if let mismatch {
            let (values, companions) = areCompanions ? (mismatch.existing, mismatch.new) : (mismatch.new, mismatch.existing)
            self.report(
                .structure, self.path.appending(definition.name),
                "\(key) has \(values) items but _\(key) has \(companions); they must align by index", at: location)
        }
    }

    /// The `id` and `extension` children inside a `_x` object.
    private mutating func readExtras(name: String, index: Int?, at location: SourceLocation) throws(Outcome) -> [Element] {
        self.path.push(name, index: index)
        defer { self.path.pop() }
        if self.nextIsEmptyObject() { self.report(.required, self.path.description, "empty object", at: location) }
        return try self.readMembers(of: self.primitiveExtras, isResource: false)
    }

    /// Reads a value of complex type `type`: an object (a resource when `type` is `Resource`).
    private mutating func readComplex(name: String, type: String, index: Int?, at location: SourceLocation) throws(Outcome) -> Element? {
        guard self.scanner.current == .openBrace else {
            try self.wrongKind(name, index: index, expected: "an object", at: location)
            return nil
        }
        if type == "Resource" || type == "DomainResource" {
            return try self.readResource(name: name, index: index, at: location)
        }
        guard let definition = self.metadata.type(named: type) else {
            self.report(.notSupported, self.path.appending(name, index: index), "no definition for type \(type)", at: location)
            try self.skipValue()
            return nil
        }
        self.path.push(name, index: index)
        defer { self.path.pop() }
        if self.nextIsEmptyObject() { self.report(.required, self.path.description, "empty object", at: location) }
        try self.countElement()
        let children = try self.readMembers(of: definition, isResource: false)
        return children.isEmpty ? nil : Element(name: name, type: type, children: children, location: location)
    }

    /// Reads a resource in a resource position (`contained`, `Bundle.entry.resource`, …).
    private mutating func readResource(name: String, index: Int?, at location: SourceLocation) throws(Outcome) -> Element? {
        let here = self.path.appending(name, index: index)
        guard let found = try self.peekResourceType() else {
            self.report(.structure, here, "a resource here needs a resourceType string", at: location)
            try self.skipValue()
            return nil
        }
        guard self.metadata.isResource(found.name), let definition = self.metadata.type(named: found.name) else {
            self.report(.invalid, here, "unknown resourceType \"\(found.name)\"", at: found.location)
            try self.skipValue()
            return nil
        }
        self.path.push(name, index: index)
        defer { self.path.pop() }
        try self.countElement()
        let children = try self.readMembers(of: definition, isResource: true)
        return Element(name: name, type: found.name, children: children, location: location)
    }
}
