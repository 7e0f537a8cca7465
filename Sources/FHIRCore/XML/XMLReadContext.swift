internal import CLibXML2

/// The state of one XML read: the stack of open elements, the issues found and the first fatal problem.
///
/// A class because libxml2 needs a stable pointer to it (`_private`) for the duration of the parse; it
/// never leaves ``XMLReader/parse(_:count:limits:)``. Callbacks never throw: a fatal problem is recorded
/// and the parser stopped with `xmlStopParser`, and the caller turns it into a thrown ``Outcome``.
final class XMLReadContext {
    let parser: xmlParserCtxtPtr
    let limits: ReadLimits
    // Hot state touched on every SAX event. Only the one thread running the parse ever touches this
    // object, and no access overlaps another, so the dynamic exclusivity checks are pure overhead.
    @exclusivity(unchecked) var schema = XMLSchemaCache()
    @exclusivity(unchecked) var frames: [XMLFrame] = []
    @exclusivity(unchecked) var root: Element?
    @exclusivity(unchecked) var issues = Outcome()
    @exclusivity(unchecked) private(set) var fatal: Outcome?
    @exclusivity(unchecked) private var depth = 0
    @exclusivity(unchecked) private var elementCount = 0
    /// Open elements of a subtree being skipped (unknown element); 0 when not skipping.
    @exclusivity(unchecked) var skipDepth = 0
    /// The narrative being captured, with where its `div` started.
    @exclusivity(unchecked) var capture: XHTMLCapture?
    @exclusivity(unchecked) var captureLocation = SourceLocation.unknown
    @exclusivity(unchecked) private var fhirNamespace: UnsafePointer<xmlChar>?

    init(parser: xmlParserCtxtPtr, limits: ReadLimits) {
        self.parser = parser
        self.limits = limits
    }

    // MARK: SAX events

    func startElement(
        localname: UnsafePointer<xmlChar>,
        prefix: UnsafePointer<xmlChar>?,
        uri: UnsafePointer<xmlChar>?,
        namespaces: XMLNamespaces,
        attributes: XMLAttributes
    ) {
        guard self.fatal == nil else { return }
        self.depth += 1
        self.elementCount += 1
        if self.depth > self.limits.maxDepth {
            return self.stop(.tooCostly, "XML nesting is deeper than the limit of \(self.limits.maxDepth)")
        }
        if self.elementCount > self.limits.maxElements {
            return self.stop(.tooCostly, "XML has more than the limit of \(self.limits.maxElements) elements")
        }
        if self.capture != nil {
            self.capture?.start(
                localname: localname,
                prefix: prefix,
                uri: uri,
                namespaces: namespaces,
                attributes: attributes
            )
            return
        }
        if self.skipDepth > 0 {
            self.skipDepth += 1
            return
        }
        let location = self.startTagLocation()
        guard let top = self.frames.indices.last else {
            return self.startRoot(localname: localname, uri: uri, attributes: attributes, at: location)
        }
        switch self.frames[top].role {
        case .resourceSlot:
            self.startSlotResource(localname: localname, uri: uri, attributes: attributes, at: location)
        case .resourceDone:
            self.issue(
                .structure,
                path: self.path(),
                "'\(self.frames[top].element.name)' may hold only one resource",
                at: location
            )
            self.skipDepth = 1
        case .element, .resourceOpen:
            self.startChild(
                localname: localname,
                uri: uri,
                namespaces: namespaces,
                attributes: attributes,
                at: location
            )
        }
    }

    func endElement(localname: UnsafePointer<xmlChar>, prefix: UnsafePointer<xmlChar>?, uri: UnsafePointer<xmlChar>?) {
        guard self.fatal == nil else { return }
        self.depth -= 1
        if self.capture != nil {
            self.capture?.end(localname: localname, prefix: prefix, uri: uri)
            if let capture = self.capture, capture.depth == 0 {
                self.capture = nil
                let div = Element(name: "div", type: "xhtml", value: capture.markup, location: self.captureLocation)
                self.frames[self.frames.count - 1].element.children.append(div)
            }
            return
        }
        if self.skipDepth > 0 {
            self.skipDepth -= 1
            return
        }
        guard let top = self.frames.indices.last else { return }
        switch self.frames[top].role {
        case .resourceOpen:
            // The end of the wrapped resource element; the wrapper itself ends next.
            self.frames[top].role = .resourceDone
            return
        case .resourceSlot:
            let frame = self.frames[top]
            self.issue(
                .structure,
                path: self.path(),
                "'\(frame.element.name)' must contain a resource",
                at: frame.element.location
            )
            self.frames.removeLast()
            return
        case .element, .resourceDone:
            break
        }
        var frame = self.frames.removeLast()
        if frame.needsSort {
            self.sortChildren(of: &frame)
        }
        if self.frames.isEmpty {
            self.root = frame.element
        } else {
            self.frames[self.frames.count - 1].element.children.append(frame.element)
        }
    }

    func characters(_ text: UnsafeBufferPointer<UInt8>) {
        guard self.fatal == nil else { return }
        if self.capture != nil {
            self.capture?.text(text)
            return
        }
        guard self.skipDepth == 0, let top = self.frames.indices.last, !self.frames[top].reportedText else { return }
        for byte in text where !(byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D) {
            self.frames[top].reportedText = true
            self.issue(
                .structure,
                path: self.path(),
                "text content is not allowed in FHIR elements",
                at: self.currentLocation()
            )
            return
        }
    }

    func refuseDoctype() {
        self.stop(.security, "DOCTYPE is not allowed in FHIR XML (no DTDs, no entities)", at: self.currentLocation())
    }

    /// A libxml2 diagnostic: errors end the read (the first one is reported); warnings are ignored.
    func libxmlError(_ error: xmlError) {
        guard error.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
        let message = XMLReader.message(of: error)
        let encodingErrors: Set<Int32> = [
            Int32(XML_ERR_INVALID_CHAR.rawValue), Int32(XML_ERR_INVALID_ENCODING.rawValue),
            Int32(XML_ERR_UNSUPPORTED_ENCODING.rawValue), Int32(XML_ERR_UNKNOWN_ENCODING.rawValue),
        ]
        let code: Issue.Code = encodingErrors.contains(error.code) ? .invalid : .structure
        self.stop(
            code,
            "XML is not well-formed: \(message)",
            at: SourceLocation(line: Int(error.line), column: Int(error.int2))
        )
    }

    /// A libxml2 error that names no parser context (see ``XMLReader/parse(_:count:limits:)``): a failure
    /// to decode the input from its declared encoding, or an I/O or memory failure. It carries no
    /// position, so the parser's current one is its own. libxml2 raises it from inside its own work (the
    /// input's decoding), where stopping the parser would pull the input away under it: it is recorded
    /// only, and the parser's own error that follows stops the parse.
    func contextlessError(_ error: xmlError) {
        guard error.level.rawValue >= XML_ERR_ERROR.rawValue, self.fatal == nil else { return }
        let decoding = [XML_FROM_I18N.rawValue, XML_FROM_IO.rawValue].contains(UInt32(bitPattern: error.domain))
        self.fatal = .fatal(
            decoding ? .invalid : .exception,
            decoding
                ? "XML cannot be decoded in its declared encoding: \(XMLReader.message(of: error))"
                : "XML cannot be read: \(XMLReader.message(of: error))",
            at: self.currentLocation()
        )
    }

    /// The outcome of the parse once libxml2 has returned.
    func finish(wellFormed: Bool) -> Result<ParsedResource, Outcome> {
        if let fatal = self.fatal { return .failure(fatal) }
        guard wellFormed else { return .failure(.fatal(.structure, "XML is not well-formed")) }
        guard let root = self.root else { return .failure(.fatal(.structure, "XML has no root element")) }
        return .success(ParsedResource(root: root, issues: self.issues))
    }

    // MARK: Recording

    func issue(_ code: Issue.Code, path: String, _ message: String, at location: SourceLocation) {
        self.issues.append(Issue(.error, code, path: path, message, at: location))
    }

    func stop(_ code: Issue.Code, _ message: String, at location: SourceLocation? = nil) {
        if self.fatal == nil {
            self.fatal = .fatal(code, message, at: location ?? self.currentLocation())
        }
        xmlStopParser(self.parser)
    }

    func isFHIRNamespace(_ uri: UnsafePointer<xmlChar>?) -> Bool {
        guard let uri else { return false }
        if uri == self.fhirNamespace { return true }
        guard uri.equals("http://hl7.org/fhir") else { return false }
        // Namespace URIs are interned in libxml2's dictionary too; remember the pointer.
        self.fhirNamespace = uri
        return true
    }

    /// The FHIRPath-style path of the innermost open element, optionally with a child appended.
    func path(appending name: String? = nil, index: Int? = nil) -> String {
        guard let first = self.frames.first else { return name ?? "" }
        var path = ElementPath(root: first.element.type)
        for frame in self.frames.dropFirst() {
            path.push(frame.element.name, index: frame.pathIndex)
        }
        if let name { path.push(name, index: index) }
        return path.description
    }
}
