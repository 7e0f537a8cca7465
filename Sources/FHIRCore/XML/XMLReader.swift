internal import CLibXML2

/// Drives one libxml2 SAX2 parse over a memory buffer and hands the events to an ``XMLReadContext``.
///
/// Why SAX and not `xmlReadMemory`: no DOM is built, so the cost is one pass over the bytes plus the
/// Swift tree, and every hostile construct is refused the moment it appears.
/// See https://gnome.pages.gitlab.gnome.org/libxml2/devhelp/libxml2-parser.html#xmlSAXHandler
enum XMLReader {
    /// Parser options: never fetch anything from the network, hand CDATA to `characters`. Deliberately
    /// absent: `XML_PARSE_NOENT` (entity substitution), `XML_PARSE_DTDLOAD`, `XML_PARSE_HUGE` (keeps
    /// libxml2's own size limits on names and text nodes).
    static let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOCDATA.rawValue)

    static func parse(_ base: UnsafePointer<UInt8>, count: Int, limits: ReadLimits) -> Result<ParsedResource, Outcome> {
        guard count <= Int(Int32.max) else {
            return .failure(.fatal(.tooCostly, "XML input is too large"))
        }
        xmlInitParser()
        let created = base.withMemoryRebound(to: CChar.self, capacity: count) {
            xmlCreateMemoryParserCtxt($0, Int32(count))
        }
        guard let parser = created else {
            return .failure(.fatal(.exception, "the XML parser could not be created"))
        }
        defer { xmlFreeParserCtxt(parser) }
        var sax = Self.saxHandler()
        cxml_set_sax(parser, &sax)
        _ = xmlCtxtUseOptions(parser, Self.options)

        let context = XMLReadContext(parser: parser, limits: limits)
        cxml_set_private(parser, Unmanaged.passUnretained(context).toOpaque())
        // Input that cannot be decoded is reported without a parser context (and by default printed);
        // it is this parse's.
        let previous = cxml_route_thread_errors(parser) { ctx, error in
            guard let error, let context = XMLReader.context(ctx) else { return }
            context.contextlessError(error.pointee)
        }
        withExtendedLifetime(context) {
            _ = xmlParseDocument(parser)
        }
        cxml_restore_thread_errors(previous)
        cxml_set_private(parser, nil)
        return context.finish(wellFormed: cxml_well_formed(parser) != 0)
    }

    /// A libxml2 error's message, without the line break it ends with.
    static func message(of error: xmlError) -> String {
        var message = error.message.map { String(cString: $0) } ?? "unknown error"
        while message.last?.isWhitespace == true { message.removeLast() }
        return message
    }

    /// The context of a callback: libxml2 passes the parser as `ctx` (``cxml_set_sax`` makes `userData`
    /// the parser) and the Swift context rides in its `_private` pointer.
    static func context(_ ctx: UnsafeMutableRawPointer?) -> XMLReadContext? {
        guard let ctx, let opaque = cxml_private(ctx) else { return nil }
        return Unmanaged<XMLReadContext>.fromOpaque(opaque).takeUnretainedValue()
    }

    /// A SAX2 handler built per parse (no shared mutable state). Callbacks that are left nil are ignored
    /// by libxml2: comments, processing instructions, entity and notation declarations.
    static func saxHandler() -> xmlSAXHandler {
        var sax = xmlSAXHandler()
        // SAX2 magic: enables startElementNs/endElementNs and the structured error callback `serror`.
        sax.initialized = UInt32(truncatingIfNeeded: XML_SAX2_MAGIC)
        sax.startElementNs = { ctx, localname, prefix, uri, nbNamespaces, namespaces, nbAttributes, _, attributes in
            guard let localname, let context = XMLReader.context(ctx) else { return }
            context.startElement(
                localname: localname,
                prefix: prefix,
                uri: uri,
                namespaces: XMLNamespaces(count: Int(nbNamespaces), pairs: namespaces),
                attributes: XMLAttributes(count: Int(nbAttributes), values: attributes)
            )
        }
        sax.endElementNs = { ctx, localname, prefix, uri in
            guard let localname, let context = XMLReader.context(ctx) else { return }
            context.endElement(localname: localname, prefix: prefix, uri: uri)
        }
        sax.characters = { ctx, text, length in
            guard let text, length > 0, let context = XMLReader.context(ctx) else { return }
            context.characters(UnsafeBufferPointer(start: text, count: Int(length)))
        }
        // Without a DTD libxml2 reports whitespace through `characters`; route the other path there too.
        sax.ignorableWhitespace = sax.characters
        // A DOCTYPE is reported here before any entity in it is declared: refuse it outright.
        sax.internalSubset = { ctx, _, _, _ in
            XMLReader.context(ctx)?.refuseDoctype()
        }
        sax.externalSubset = sax.internalSubset
        sax.serror = { ctx, error in
            guard let error, let context = XMLReader.context(ctx) else { return }
            context.libxmlError(error.pointee)
        }
        return sax
    }
}

/// The namespace declarations of a start tag: `count` (prefix, URI) pairs.
struct XMLNamespaces {
    let count: Int
    let pairs: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?

    func prefix(_ index: Int) -> UnsafePointer<xmlChar>? { self.pairs?[2 * index] }
    func uri(_ index: Int) -> UnsafePointer<xmlChar>? { self.pairs?[2 * index + 1] }
}

/// The attributes of a start tag: `count` records of (localname, prefix, URI, value, end).
struct XMLAttributes {
    let count: Int
    let values: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?

    func localname(_ index: Int) -> UnsafePointer<xmlChar>? { self.values?[5 * index] }
    func prefix(_ index: Int) -> UnsafePointer<xmlChar>? { self.values?[5 * index + 1] }
    func uri(_ index: Int) -> UnsafePointer<xmlChar>? { self.values?[5 * index + 2] }

    /// The raw value bytes as libxml2 reports them. libxml2 has already decoded character references and
    /// normalised whitespace, except that without `XML_PARSE_NOENT` it leaves every `&` as the five bytes
    /// `&#38;` (meant for re-parsing in `xmlStringGetNodeList`); ``withValue(_:_:)`` undoes that.
    func rawValue(_ index: Int) -> UnsafeBufferPointer<UInt8> {
        guard let start = self.values?[5 * index + 3], let end = self.values?[5 * index + 4] else {
            return UnsafeBufferPointer(start: nil, count: 0)
        }
        return UnsafeBufferPointer(start: start, count: end - start)
    }

    /// Calls `body` with the attribute's value as the document meant it.
    ///
    /// Every literal `&` arrives as `&#38;` (see ``rawValue(_:)``) and no other `&` can occur, so
    /// replacing each `&#38;` by `&` is exact: `&amp;#38;` in the document arrives as `&#38;#38;` and
    /// becomes `&#38;`.
    func withValue<Result>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        let raw = self.rawValue(index)
        guard raw.contains(UInt8(ascii: "&")) else { return body(raw) }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(raw.count)
        var offset = 0
        while offset < raw.count {
            decoded.append(raw[offset])
            if raw[offset] == UInt8(ascii: "&"), offset + 4 < raw.count, raw[offset + 1] == UInt8(ascii: "#"),
                raw[offset + 2] == UInt8(ascii: "3"), raw[offset + 3] == UInt8(ascii: "8"),
                raw[offset + 4] == UInt8(ascii: ";")
            {
                offset += 5
            } else {
                offset += 1
            }
        }
        return decoded.withUnsafeBufferPointer(body)
    }

    func string(_ index: Int) -> String { self.withValue(index) { String(decoding: $0, as: UTF8.self) } }
}

extension UnsafePointer where Pointee == xmlChar {
    /// The NUL-terminated libxml2 string as Swift text.
    var string: String { String(cString: self) }

    /// Whether the NUL-terminated string equals `text` (a static ASCII string).
    func equals(_ text: StaticString) -> Bool {
        let expected = text.utf8Start
        for offset in 0..<text.utf8CodeUnitCount where self[offset] != expected[offset] {
            return false
        }
        return self[text.utf8CodeUnitCount] == 0
    }
}
