internal import CLibXML2

/// One hardened SAX pass over narrative markup, collecting ``XHTMLNarrative`` rule violations.
///
/// A class because libxml2 holds a pointer to it (`_private`) during the parse; it never escapes
/// ``check(_:count:path:at:)``. Same hardening as the resource reader: no network, no entity
/// substitution, DOCTYPE refused before any declaration is read.
final class XHTMLNarrativeChecker {
    private let parser: xmlParserCtxtPtr
    private let path: String
    private let location: SourceLocation
    private(set) var issues: [Issue] = []
    private var depth = 0
    private var hasContent = false
    private var stopped = false

    private init(parser: xmlParserCtxtPtr, path: String, location: SourceLocation) {
        self.parser = parser
        self.path = path
        self.location = location
    }

    static func check(_ base: UnsafePointer<UInt8>, count: Int, path: String, at location: SourceLocation) -> [Issue] {
        guard count <= Int(Int32.max) else {
            return [Issue(.error, .tooCostly, path: path, "the narrative is too large", at: location)]
        }
        xmlInitParser()
        let created = base.withMemoryRebound(to: CChar.self, capacity: count) {
            xmlCreateMemoryParserCtxt($0, Int32(count))
        }
        guard let parser = created else {
            return [Issue(.error, .exception, path: path, "the XML parser could not be created", at: location)]
        }
        defer { xmlFreeParserCtxt(parser) }
        var sax = Self.saxHandler()
        cxml_set_sax(parser, &sax)
        _ = xmlCtxtUseOptions(parser, XMLReader.options)
        let checker = XHTMLNarrativeChecker(parser: parser, path: path, location: location)
        cxml_set_private(parser, Unmanaged.passUnretained(checker).toOpaque())
        // Input that cannot be decoded is reported without a parser context, from inside libxml2's
        // decoding, where the parser must not be stopped: recorded only (see `XMLReader.parse`).
        let previous = cxml_route_thread_errors(parser) { ctx, error in
            guard let error, error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue,
                let checker = XHTMLNarrativeChecker.checker(ctx), !checker.stopped
            else { return }
            checker.stopped = true
            checker.report(.value, "the narrative cannot be decoded: \(XMLReader.message(of: error.pointee))")
        }
        withExtendedLifetime(checker) {
            _ = xmlParseDocument(parser)
        }
        cxml_restore_thread_errors(previous)
        cxml_set_private(parser, nil)
        if !checker.stopped, !checker.hasContent {
            // txt-2: the narrative SHALL have some non-whitespace content.
            checker.report(.value, "the narrative div must have some non-whitespace content")
        }
        return checker.issues
    }

    private static func checker(_ ctx: UnsafeMutableRawPointer?) -> XHTMLNarrativeChecker? {
        guard let ctx, let opaque = cxml_private(ctx) else { return nil }
        return Unmanaged<XHTMLNarrativeChecker>.fromOpaque(opaque).takeUnretainedValue()
    }

    private static func saxHandler() -> xmlSAXHandler {
        var sax = xmlSAXHandler()
        sax.initialized = UInt32(truncatingIfNeeded: XML_SAX2_MAGIC)
        sax.startElementNs = { ctx, localname, _, uri, _, _, nbAttributes, _, attributes in
            guard let localname, let checker = XHTMLNarrativeChecker.checker(ctx) else { return }
            checker.startElement(
                localname.string,
                uri: uri,
                attributes: XMLAttributes(count: Int(nbAttributes), values: attributes)
            )
        }
        sax.endElementNs = { ctx, _, _, _ in
            XHTMLNarrativeChecker.checker(ctx)?.depth -= 1
        }
        sax.characters = { ctx, text, length in
            guard let text, length > 0, let checker = XHTMLNarrativeChecker.checker(ctx), !checker.hasContent else {
                return
            }
            let buffer = UnsafeBufferPointer(start: text, count: Int(length))
            if buffer.contains(where: { !($0 == 0x20 || $0 == 0x0A || $0 == 0x09 || $0 == 0x0D) }) {
                checker.hasContent = true
            }
        }
        sax.internalSubset = { ctx, _, _, _ in
            XHTMLNarrativeChecker.checker(ctx)?.fail(
                .security,
                "DOCTYPE and entity declarations are not allowed in narrative"
            )
        }
        sax.externalSubset = sax.internalSubset
        sax.serror = { ctx, error in
            guard let error, error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue,
                let checker = XHTMLNarrativeChecker.checker(ctx)
            else { return }
            checker.fail(
                .value,
                "the narrative is not well-formed XHTML: \(XMLReader.message(of: error.pointee)) "
                    + "(line \(error.pointee.line) of the div)"
            )
        }
        return sax
    }

    private func startElement(_ name: String, uri: UnsafePointer<xmlChar>?, attributes: XMLAttributes) {
        guard !self.stopped else { return }
        self.depth += 1
        guard uri.map(XHTMLCapture.isXHTML) ?? false else {
            self.report(.value, "<\(name)> is not in the XHTML namespace \(FHIRXML.xhtmlNamespace)")
            return
        }
        if self.depth == 1, name != "div" {
            self.report(.value, "the narrative must be a <div>, not <\(name)>")
        }
        if name == "img" { self.hasContent = true }
        if XHTMLNarrative.activeElements.contains(name) {
            self.report(.security, "<\(name)> is active content and not allowed in narrative")
        } else if !XHTMLNarrative.allowedElements.contains(name) {
            self.report(.value, "<\(name)> is not allowed in narrative")
        }
        for index in 0..<attributes.count {
            guard let localname = attributes.localname(index) else { continue }
            self.checkAttribute(localname.string, uri: attributes.uri(index), value: attributes.string(index), on: name)
        }
    }

    private func checkAttribute(_ name: String, uri: UnsafePointer<xmlChar>?, value: String, on element: String) {
        if let uri {
            // Only xml:lang and xml:space; any other namespaced attribute (xlink:href, …) is refused.
            guard uri.equals("http://www.w3.org/XML/1998/namespace"), name == "lang" || name == "space" else {
                return self.report(
                    .value,
                    "attribute '\(name)' in namespace \(uri.string) on <\(element)> is not allowed in narrative"
                )
            }
            return
        }
        let lowered = name.lowercased()
        if lowered.hasPrefix("on") {
            return self.report(.security, "event attribute '\(name)' on <\(element)> is not allowed in narrative")
        }
        if XHTMLNarrative.isScriptURL(value) {
            return self.report(.security, "attribute '\(name)' on <\(element)> holds a script URL")
        }
        if lowered == "style", XHTMLNarrative.isActiveStyle(value) {
            return self.report(.security, "style on <\(element)> holds active content")
        }
        if !XHTMLNarrative.allowedAttributes.contains(lowered) {
            self.report(.value, "attribute '\(name)' on <\(element)> is not allowed in narrative")
        }
    }

    private func report(_ code: Issue.Code, _ message: String) {
        self.issues.append(Issue(.error, code, path: self.path, message, at: self.location))
    }

    /// Records a problem that ends the check (malformed markup, DOCTYPE) and stops the parser.
    private func fail(_ code: Issue.Code, _ message: String) {
        guard !self.stopped else { return }
        self.stopped = true
        self.report(code, message)
        xmlStopParser(self.parser)
    }
}
