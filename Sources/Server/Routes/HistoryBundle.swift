import FHIRCore
import Foundation
import Store

/// The `history` Bundle of one resource (https://hl7.org/fhir/R4/http.html#history), newest first.
enum HistoryBundle {
    static func make(_ versions: [StoredResource], base: String) throws(FHIRError) -> Element {
        var entries: [Element] = []
        for stored in versions {
            let resource = try ResourceCodec.element(of: stored)
            entries.append(
                .node(
                    "entry",
                    "Bundle.Entry",
                    [
                        .primitive("fullUrl", "uri", base + "/fhir/" + stored.reference),
                        resource.named("resource"),
                        .node(
                            "request",
                            "Bundle.Request",
                            [
                                .primitive("method", "code", stored.version == 1 ? "POST" : "PUT"),
                                .primitive("url", "uri", stored.version == 1 ? stored.type : stored.reference),
                            ]
                        ),
                        .node(
                            "response",
                            "Bundle.Response",
                            [
                                .primitive("status", "string", stored.version == 1 ? "201 Created" : "200 OK"),
                                .primitive("etag", "string", ResourceResponse.eTag(stored.version)),
                                .primitive("lastModified", "instant", FHIRTime.instant(stored.lastUpdated)),
                            ]
                        ),
                    ]
                )
            )
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
