import FHIRCore
import Foundation
import Store

/// The `history` Bundle of one resource (https://hl7.org/fhir/R4/http.html#history), newest first.
enum HistoryBundle {
    static func make(_ versions: [StoredResource], base: String) throws(FHIRError) -> Element {
        var entries: [Element] = []
        for stored in versions {
            // A deletion has no resource: its entry says DELETE (R4 §3.1.0.11, history).
            let method = stored.isDeletion ? "DELETE" : stored.version == 1 ? "POST" : "PUT"
            var children: [Element] = [.primitive("fullUrl", "uri", base + "/" + stored.reference)]
            if !stored.isDeletion { children.append(try ResourceCodec.element(of: stored).named("resource")) }
            children.append(
                .node(
                    "request",
                    "Bundle.Request",
                    [
                        .primitive("method", "code", method),
                        .primitive("url", "uri", method == "POST" ? stored.type : stored.reference),
                    ]
                )
            )
            children.append(
                .node(
                    "response",
                    "Bundle.Response",
                    [
                        .primitive("status", "string", method == "POST" ? "201 Created" : "200 OK"),
                        .primitive("etag", "string", ResourceResponse.eTag(stored.version)),
                        .primitive("lastModified", "instant", FHIRTime.instant(stored.lastUpdated)),
                    ]
                )
            )
            entries.append(.node("entry", "Bundle.Entry", children))
        }
        return .node(
            "Bundle",
            "Bundle",
            [
                .primitive("id", "id", UUID().uuidString.lowercased()),
                .primitive("type", "code", "history"),
                .primitive("total", "unsignedInt", String(versions.count)),
            ] + entries
        )
    }
}
