internal import CLibXML2

/// The FHIR R4 XML codec: reads XML into the ``Element`` tree and writes a tree back out.
///
/// Reading is hardened for hostile input: no network, no entity expansion, no DOCTYPE, and the sizes in
/// ``ReadLimits``. Writing follows the R4 XML rules (element order, `value`/`id`/`url` attributes,
/// wrapped contained resources) and is byte-stable: `write(read(write(x))) == write(x)`.
public enum FHIRXML {
    /// The FHIR namespace every FHIR element must be in.
    public static let namespace = "http://hl7.org/fhir"
    /// The namespace of the narrative `div`.
    public static let xhtmlNamespace = "http://www.w3.org/1999/xhtml"

    /// Reads one resource from FHIR XML.
    ///
    /// Problems that still leave a usable tree (unknown elements or attributes, elements out of order, text
    /// where FHIR allows none) are returned in ``ParsedResource/issues``; unknown elements are skipped
    /// with their subtree. Every node carries the line and column of its start tag.
    ///
    /// - Parameters:
    ///   - bytes: the document, UTF-8 (a byte order mark and an XML declaration are allowed).
    ///   - limits: size, depth and element-count bounds; the size is checked before parsing starts.
    /// - Throws: an ``Outcome`` with one fatal issue when the input cannot be read: not well-formed,
    ///   a DOCTYPE (so no entities of any kind), a limit exceeded, a wrong root namespace or an unknown
    ///   resource type.
    public static func read(_ bytes: [UInt8], limits: ReadLimits = .default) throws(Outcome) -> ParsedResource {
        guard bytes.count <= limits.maxBytes else {
            throw .fatal(.tooCostly, "XML input of \(bytes.count) bytes exceeds the limit of \(limits.maxBytes) bytes")
        }
        let result: Result<ParsedResource, Outcome> = bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, buffer.count > 0 else {
                return .failure(.fatal(.structure, "XML input is empty"))
            }
            return XMLReader.parse(base, count: buffer.count, limits: limits)
        }
        return try result.get()
    }

    /// Writes a resource tree as FHIR XML, starting with an XML declaration.
    ///
    /// Children are written in R4 element order whatever order the tree has; children whose names or
    /// types R4 does not know are skipped, so a hand-built tree never makes this fail.
    ///
    /// - Parameters:
    ///   - resource: a resource node (its `type` is the resource type).
    ///   - pretty: indent with two spaces per level; values and narrative markup are never changed.
    /// - Returns: UTF-8 bytes.
    public static func write(_ resource: Element, pretty: Bool = false) -> [UInt8] {
        var writer = XMLWriter(pretty: pretty)
        writer.writeDocument(resource)
        return writer.bytes
    }
}
