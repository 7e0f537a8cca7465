import FHIRCore
import Store

/// What the text of a `Reference.reference` names, read the way FHIR R4 §2.3.0 (references) reads it.
enum ReferenceText: Sendable, Hashable {
    /// `#id`: a contained resource; stays inside its resource.
    case contained
    /// `urn:uuid:…`, `urn:oid:…`: a Bundle entry's `fullUrl`, meaningful only inside its Bundle.
    case urn(String)
    /// `Type/id`, `Type/id/_history/n`, or an absolute URL ending so: a resource on a FHIR server.
    /// `base` is everything before `Type` for an absolute URL, nil for a relative one.
    case restful(base: String?, name: ResourceName, version: String?)
    /// Anything else (a canonical, a malformed value): left as written.
    case other

    init(_ text: String) {
        if text.hasPrefix("#") {
            self = .contained
            return
        }
        if text.hasPrefix("urn:") {
            self = .urn(text)
            return
        }
        var parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        var version: String?
        if parts.count >= 4, parts[parts.count - 2] == "_history" {
            version = parts.removeLast()
            parts.removeLast()
        }
        guard parts.count >= 2, R4Metadata.shared.isResource(parts[parts.count - 2]),
            Self.isID(parts[parts.count - 1])
        else {
            self = .other
            return
        }
        let name = ResourceName(type: parts[parts.count - 2], id: parts[parts.count - 1])
        let base = parts.count > 2 ? parts.dropLast(2).joined(separator: "/") : nil
        if let base, !base.contains("://") {
            self = .other
            return
        }
        self = .restful(base: base, name: name, version: version)
    }

    /// A FHIR id: `[A-Za-z0-9\-\.]{1,64}`.
    static func isID(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 64
            && text.utf8.allSatisfy { $0.isASCIIAlphanumeric || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }
    }
}
