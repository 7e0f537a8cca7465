/// The two FHIR wire formats.
public enum WireFormat: String, Sendable, Hashable, CaseIterable {
    case json
    case xml

    /// The media type FHIR registers for the format.
    public var mediaType: String {
        switch self {
        case .json: "application/fhir+json"
        case .xml: "application/fhir+xml"
        }
    }

    /// Recognises the format from the content: the first byte that is not whitespace (after an optional
    /// UTF-8 byte order mark) is `{` for JSON and `<` for XML. Nil when it is neither.
    public static func sniff(_ bytes: [UInt8]) -> WireFormat? {
        var index = 0
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { index = 3 }
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): index += 1
            case UInt8(ascii: "{"): return .json
            case UInt8(ascii: "<"): return .xml
            default: return nil
            }
        }
        return nil
    }
}
