import FHIRCore
import Foundation
import Store

/// The `searchset` Bundle of a search (https://hl7.org/fhir/R4/bundle.html#searchset): `total`, the
/// `self` link with the parameters the search used and, when there are more, a `next` link with an
/// opaque cursor; the matches, then the resources `_include`d.
enum SearchBundle {
    static func make(
        matches: [Element],
        included: [Element] = [],
        total: Int,
        base: String,
        type: String,
        parameters: [(name: String, value: String)],
        next: String?
    ) -> Element {
        var links = [self.link("self", self.url(base: base, type: type, parameters: parameters))]
        if let next {
            links.append(
                self.link("next", self.url(base: base, type: type, parameters: parameters + [("_cursor", next)]))
            )
        }
        let entries =
            matches.map { self.entry($0, mode: "match", base: base) }
            + included.map { self.entry($0, mode: "include", base: base) }
        return .node(
            "Bundle",
            "Bundle",
            [
                .primitive("id", "id", RouteInput.newID()),
                .node("meta", "Meta", [.primitive("lastUpdated", "instant", FHIRTime.instant(Date()))]),
                .primitive("type", "code", "searchset"),
                .primitive("total", "unsignedInt", String(total)),
            ] + links + entries
        )
    }

    /// `base/Type?name=value&…`, each part percent-encoded as a query needs.
    static func url(base: String, type: String, parameters: [(name: String, value: String)]) -> String {
        let query = parameters.map { "\(self.escape($0.name))=\(self.escape($0.value))" }.joined(separator: "&")
        return "\(base)/\(type)" + (query.isEmpty ? "" : "?" + query)
    }

    private static func link(_ relation: String, _ url: String) -> Element {
        .node("link", "Bundle.Link", [.primitive("relation", "string", relation), .primitive("url", "uri", url)])
    }

    private static func entry(_ resource: Element, mode: String, base: String) -> Element {
        .node(
            "entry",
            "Bundle.Entry",
            [
                .primitive("fullUrl", "uri", "\(base)/\(resource.type)/\(resource.resourceID ?? "")"),
                resource.named("resource"),
                .node("search", "Bundle.Search", [.primitive("mode", "code", mode)]),
            ]
        )
    }

    private static let allowed: CharacterSet = {
        var set = CharacterSet.alphanumerics
        set.insert(charactersIn: "-._~:/|,")
        return set
    }()

    private static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: self.allowed) ?? text
    }
}
