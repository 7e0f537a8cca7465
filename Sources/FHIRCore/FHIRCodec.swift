/// Reads and writes resources in either wire format: the entry point the CLI and the server use.
///
/// Reading is two stages, as in the pipeline: ``read(_:as:limits:)`` turns bytes into a tree (or throws
/// one fatal issue), and ``Validator`` judges the tree. ``readAndValidate(_:as:limits:)`` runs both.
public enum FHIRCodec {
    /// Reads a resource, recognising the format from the content when `format` is nil.
    /// - Throws: an ``Outcome`` with one fatal issue when the bytes are neither JSON nor XML, or cannot be read.
    public static func read(
        _ bytes: [UInt8],
        as format: WireFormat? = nil,
        limits: ReadLimits = .default
    ) throws(Outcome) -> ParsedResource {
        guard let format = format ?? WireFormat.sniff(bytes) else {
            throw .fatal(
                .structure,
                "The content is neither FHIR JSON (starting with '{') nor FHIR XML (starting with '<')"
            )
        }
        switch format {
        case .json: return try FHIRJSON.read(bytes, limits: limits)
        case .xml: return try FHIRXML.read(bytes, limits: limits)
        }
    }

    /// Reads and validates; the outcome holds the reader's and the validator's issues.
    /// - Throws: an ``Outcome`` with one fatal issue when the bytes cannot be read at all.
    public static func readAndValidate(
        _ bytes: [UInt8],
        as format: WireFormat? = nil,
        limits: ReadLimits = .default
    ) throws(Outcome) -> (resource: Element, outcome: Outcome) {
        let parsed = try self.read(bytes, as: format, limits: limits)
        return (parsed.root, Validator.validate(parsed))
    }

    /// Writes a resource tree in the given format.
    public static func write(_ resource: Element, as format: WireFormat, pretty: Bool = false) -> [UInt8] {
        switch format {
        case .json: FHIRJSON.write(resource, pretty: pretty)
        case .xml: FHIRXML.write(resource, pretty: pretty)
        }
    }
}
