internal import CLibXML2

/// Re-serialises the SAX events of a narrative `div` subtree into XHTML markup.
///
/// The result is canonical enough to be stable: the XHTML namespace is the default namespace declared on
/// the `div` (its prefixes are dropped), text and attributes are escaped with ``XMLEscaping``, elements
/// without content are written `<br/>`, and whitespace is kept exactly.
struct XHTMLCapture {
    private(set) var bytes: [UInt8] = []
    /// Open elements inside the capture, the `div` included.
    private(set) var depth = 0
    /// A start tag has been written without its closing `>`, so it can still become `/>`.
    private var tagOpen = false

    /// The markup captured so far.
    var markup: String { String(decoding: self.bytes, as: UTF8.self) }

    mutating func start(
        localname: UnsafePointer<xmlChar>,
        prefix: UnsafePointer<xmlChar>?,
        uri: UnsafePointer<xmlChar>?,
        namespaces: XMLNamespaces,
        attributes: XMLAttributes
    ) {
        self.closeStartTag()
        self.bytes.append(UInt8(ascii: "<"))
        self.appendName(localname, prefix: prefix, uri: uri)
        if self.depth == 0 {
            self.append(#" xmlns="http://www.w3.org/1999/xhtml""#)
        }
        for index in 0..<namespaces.count {
            // Bindings of the XHTML namespace are replaced by the default declaration on the div.
            if let nsURI = namespaces.uri(index), Self.isXHTML(nsURI) { continue }
            if self.depth == 0, namespaces.prefix(index) == nil { continue }
            self.append(" xmlns")
            if let nsPrefix = namespaces.prefix(index) {
                self.bytes.append(UInt8(ascii: ":"))
                self.appendCString(nsPrefix)
            }
            self.append("=\"")
            if let nsURI = namespaces.uri(index) {
                XMLEscaping.appendAttribute(
                    UnsafeBufferPointer(start: nsURI, count: Self.length(nsURI)),
                    to: &self.bytes
                )
            }
            self.bytes.append(UInt8(ascii: "\""))
        }
        for index in 0..<attributes.count {
            guard let name = attributes.localname(index) else { continue }
            self.bytes.append(UInt8(ascii: " "))
            self.appendName(name, prefix: attributes.prefix(index), uri: attributes.uri(index))
            self.append("=\"")
            attributes.withValue(index) { XMLEscaping.appendAttribute($0, to: &self.bytes) }
            self.bytes.append(UInt8(ascii: "\""))
        }
        self.tagOpen = true
        self.depth += 1
    }

    mutating func end(localname: UnsafePointer<xmlChar>, prefix: UnsafePointer<xmlChar>?, uri: UnsafePointer<xmlChar>?)
    {
        self.depth -= 1
        if self.tagOpen {
            self.append("/>")
            self.tagOpen = false
            return
        }
        self.append("</")
        self.appendName(localname, prefix: prefix, uri: uri)
        self.bytes.append(UInt8(ascii: ">"))
    }

    mutating func text(_ text: UnsafeBufferPointer<UInt8>) {
        self.closeStartTag()
        XMLEscaping.appendText(text, to: &self.bytes)
    }

    private mutating func closeStartTag() {
        if self.tagOpen {
            self.bytes.append(UInt8(ascii: ">"))
            self.tagOpen = false
        }
    }

    /// `name`, or `prefix:name` unless the name is in the XHTML namespace.
    private mutating func appendName(
        _ name: UnsafePointer<xmlChar>,
        prefix: UnsafePointer<xmlChar>?,
        uri: UnsafePointer<xmlChar>?
    ) {
        if let prefix, !(uri.map(Self.isXHTML) ?? false) {
            self.appendCString(prefix)
            self.bytes.append(UInt8(ascii: ":"))
        }
        self.appendCString(name)
    }

    private mutating func appendCString(_ text: UnsafePointer<xmlChar>) {
        self.bytes.append(contentsOf: UnsafeBufferPointer(start: text, count: Self.length(text)))
    }

    private mutating func append(_ text: StaticString) {
        self.bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    static func isXHTML(_ uri: UnsafePointer<xmlChar>) -> Bool { uri.equals("http://www.w3.org/1999/xhtml") }

    static func length(_ text: UnsafePointer<xmlChar>) -> Int {
        var count = 0
        while text[count] != 0 { count += 1 }
        return count
    }
}
