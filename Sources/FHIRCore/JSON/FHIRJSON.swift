/// The FHIR R4 JSON format (https://hl7.org/fhir/R4/json.html): reading bytes into the ``Element`` tree
/// and writing a tree back out.
///
/// Pure and Foundation-free. Reading is one pass over the bytes with no intermediate JSON value.
public enum FHIRJSON {
    /// Reads one FHIR JSON resource.
    ///
    /// Content problems (unknown elements, wrong JSON kinds, empty arrays, misaligned `_x` companions)
    /// come back as error issues in ``ParsedResource/issues``, with a FHIR path and a line and column;
    /// the offending value is left out of the tree.
    ///
    /// - Parameters:
    ///   - bytes: UTF-8 JSON without a byte order mark.
    ///   - limits: size, depth and element bounds; the size is checked before any parsing.
    /// - Throws: an ``Outcome`` with one fatal issue when the input cannot be read at all: JSON syntax or
    ///   encoding errors, a duplicate key, a broken limit (`too-costly`), or a root that is not an object
    ///   with a known `resourceType`.
    public static func read(_ bytes: [UInt8], limits: ReadLimits = .default) throws(Outcome) -> ParsedResource {
        guard bytes.count <= limits.maxBytes else {
            throw Outcome.fatal(
                .tooCostly,
                "the body is \(bytes.count) bytes, more than the limit of \(limits.maxBytes)"
            )
        }
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            throw Outcome.fatal(
                .invalid,
                "byte order mark is not allowed in FHIR JSON (RFC 8259 §8.1)",
                at: SourceLocation(line: 1, column: 1)
            )
        }
        return try bytes.withUnsafeBufferPointer { buffer throws(Outcome) in
            var reader = JSONResourceReader(buffer, limits: limits)
            return try reader.readRoot()
        }
    }

    /// Writes a resource tree as FHIR JSON: `resourceType` first, then elements in R4 order.
    ///
    /// Children the metadata does not know are skipped, so a hand-built tree never produces invalid JSON.
    /// The output is stable: writing what was read from this output gives the same bytes.
    ///
    /// - Parameters:
    ///   - resource: a resource node (its `type` is a resource type).
    ///   - pretty: indent with two spaces and put each property on its own line; compact otherwise.
    public static func write(_ resource: Element, pretty: Bool = false) -> [UInt8] {
        var writer = JSONWriter(pretty: pretty)
        writer.writeResource(resource)
        return writer.output
    }
}
