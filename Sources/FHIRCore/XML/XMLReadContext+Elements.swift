internal import CLibXML2

/// Turning start tags into frames: resources, resource slots, FHIR elements, attributes, narrative.
extension XMLReadContext {
    func startRoot(
        localname: UnsafePointer<xmlChar>,
        uri: UnsafePointer<xmlChar>?,
        attributes: XMLAttributes,
        at location: SourceLocation
    ) {
        let name = localname.string
        guard self.isFHIRNamespace(uri) else {
            return self.stop(
                .structure,
                "root element '\(name)' is not in the FHIR namespace \(FHIRXML.namespace)",
                at: location
            )
        }
        guard let typeIndex = self.schema.resourceIndex(name) else {
            return self.stop(.structure, "root element '\(name)' is not a FHIR resource type", at: location)
        }
        self.frames.append(
            XMLFrame(
                element: Element(name: name, type: name, location: location),
                typeIndex: typeIndex,
                role: .element,
                pathIndex: nil
            )
        )
        self.applyAttributes(attributes, at: location)
    }

    func startSlotResource(
        localname: UnsafePointer<xmlChar>,
        uri: UnsafePointer<xmlChar>?,
        attributes: XMLAttributes,
        at location: SourceLocation
    ) {
        let name = localname.string
        let top = self.frames.count - 1
        guard self.isFHIRNamespace(uri), let typeIndex = self.schema.resourceIndex(name) else {
            self.issue(
                .structure,
                path: self.path(),
                "'\(name)' is not a FHIR resource type in the FHIR namespace",
                at: location
            )
            self.skipDepth = 1
            return
        }
        self.frames[top].element.type = name
        self.frames[top].typeIndex = typeIndex
        self.frames[top].role = .resourceOpen
        self.applyAttributes(attributes, at: location)
    }

    func startChild(
        localname: UnsafePointer<xmlChar>,
        uri: UnsafePointer<xmlChar>?,
        namespaces: XMLNamespaces,
        attributes: XMLAttributes,
        at location: SourceLocation
    ) {
        let top = self.frames.count - 1
        guard let resolution = self.schema.resolve(localname, in: self.frames[top].typeIndex) else {
            self.issue(
                .structure,
                path: self.path(appending: localname.string),
                "unknown element '\(localname.string)'",
                at: location
            )
            self.skipDepth = 1
            return
        }
        let index = resolution.isRepeating ? self.frames[top].nextIndex(of: resolution.name) : nil
        switch resolution.representation {
        case .attribute:
            self.issue(
                .structure,
                path: self.path(appending: resolution.name),
                "'\(resolution.name)' must be an attribute, not an element",
                at: location
            )
            self.skipDepth = 1
            return
        case .xhtml:
            guard let uri, XHTMLCapture.isXHTML(uri) else {
                self.issue(
                    .structure,
                    path: self.path(appending: resolution.name),
                    "the narrative div must be in the XHTML namespace \(FHIRXML.xhtmlNamespace)",
                    at: location
                )
                self.skipDepth = 1
                return
            }
        case .element:
            guard self.isFHIRNamespace(uri) else {
                self.issue(
                    .structure,
                    path: self.path(appending: resolution.name, index: index),
                    "element '\(localname.string)' is not in the FHIR namespace",
                    at: location
                )
                self.skipDepth = 1
                return
            }
        }
        if self.frames[top].noteOrder(resolution.order, isElement: true) {
            self.issue(
                .structure,
                path: self.path(appending: resolution.name, index: index),
                "element out of order: '\(localname.string)'",
                at: location
            )
        }
        if resolution.representation == .xhtml {
            self.captureLocation = location
            self.capture = XHTMLCapture()
            self.capture?.start(
                localname: localname,
                prefix: nil,
                uri: uri,
                namespaces: namespaces,
                attributes: attributes
            )
            return
        }
        let element = Element(name: resolution.name, type: resolution.type, location: location)
        let role: XMLFrame.Role = resolution.isResourceSlot ? .resourceSlot : .element
        self.frames.append(XMLFrame(element: element, typeIndex: resolution.typeIndex, role: role, pathIndex: index))
        self.applyAttributes(attributes, at: location)
    }

    /// Reads the attributes of the innermost frame's start tag: `value` of a primitive, and the elements
    /// R4 represents as attributes (`id`, `url`), which become the first children.
    func applyAttributes(_ attributes: XMLAttributes, at location: SourceLocation) {
        guard attributes.count > 0 else { return }
        let top = self.frames.count - 1
        for index in 0..<attributes.count {
            guard let name = attributes.localname(index) else { continue }
            let resolution: XMLSchemaCache.AttributeResolution =
                attributes.uri(index) == nil && self.frames[top].role != .resourceSlot
                ? self.schema.resolveAttribute(name, in: self.frames[top].typeIndex) : .unknown
            switch resolution {
            case .value:
                self.frames[top].element.value = attributes.string(index)
            case .child(let childName, let type, let order):
                _ = self.frames[top].noteOrder(order, isElement: false)
                let child = Element(name: childName, type: type, value: attributes.string(index), location: location)
                self.frames[top].element.children.append(child)
            case .unknown:
                // Interface engines often add `xsi:schemaLocation` for their own validation; it carries no
                // FHIR content, so it is accepted and not kept.
                if attributes.uri(index)?.string == Self.schemaInstanceNamespace { continue }
                let qualified = (attributes.prefix(index).map { $0.string + ":" } ?? "") + name.string
                self.issue(.structure, path: self.path(), "unknown attribute '\(qualified)'", at: location)
            }
        }
    }

    /// Stable sort of a frame's children into definition order (only when they arrived out of order).
    func sortChildren(of frame: inout XMLFrame) {
        let keyed = frame.element.children.enumerated().map { offset, child in
            (order: self.schema.order(of: child.name, in: frame.typeIndex), offset: offset, child: child)
        }
        frame.element.children = keyed.sorted { ($0.order, $0.offset) < ($1.order, $1.offset) }.map(\.child)
    }

    static let schemaInstanceNamespace = "http://www.w3.org/2001/XMLSchema-instance"

    /// The position of the current parser input (after the construct just read).
    func currentLocation() -> SourceLocation {
        SourceLocation(line: Int(cxml_line(self.parser)), column: Int(cxml_column(self.parser)))
    }

    /// The position of the `<` of the start tag being reported. In `startElementNs` libxml2's input
    /// points at the tag's closing `>`; attribute values cannot contain a raw `<`, so the nearest `<`
    /// before it opens the tag. Falls back to the current position if the buffer no longer holds it.
    func startTagLocation() -> SourceLocation {
        guard let input = self.parser.pointee.input, let cur = input.pointee.cur, let base = input.pointee.base else {
            return self.currentLocation()
        }
        let line = Int(input.pointee.line)
        let column = Int(input.pointee.col)
        var pointer = cur
        var characters = 0
        var newlines = 0
        while pointer > base {
            pointer -= 1
            let byte = pointer.pointee
            if byte == UInt8(ascii: "<") {
                guard newlines > 0 else { return SourceLocation(line: line, column: column - characters - 1) }
                // The tag spans lines: count the characters before `<` on its own line.
                var before = 0
                var scan = pointer
                while scan > base, (scan - 1).pointee != UInt8(ascii: "\n") {
                    scan -= 1
                    if scan.pointee & 0xC0 != 0x80 { before += 1 }
                }
                return SourceLocation(line: line - newlines, column: before + 1)
            }
            if byte == UInt8(ascii: "\n") { newlines += 1 }
            if byte & 0xC0 != 0x80 { characters += 1 }
        }
        return SourceLocation(line: line, column: column)
    }
}
