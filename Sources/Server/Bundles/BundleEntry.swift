import FHIRCore
import Foundation
import HTTPTypes

/// One entry of a transaction, batch or message Bundle, read and checked: the resource and what to do
/// with it (https://hl7.org/fhir/R4/http.html#trules).
///
/// Only writes are supported inside Bundles (`POST`, `PUT`, conditional `PUT`); `GET`, `DELETE` and
/// `PATCH` entries are refused, as the CapabilityStatement says.
struct BundleEntry: Sendable {
    /// The interaction the entry asks for.
    enum Action: Sendable, Hashable {
        /// `POST Type`, optionally with `request.ifNoneExist` (an identifier token).
        case create(ifNoneExist: String?)
        /// `PUT Type/id`, optionally with `request.ifMatch`.
        case update(id: String, ifMatch: Int?)
        /// `PUT Type?identifier=system|value`.
        case conditionalUpdate(identifier: String)
    }

    /// Position in `Bundle.entry`, for error messages and the response entry.
    var index: Int
    var fullUrl: String?
    var type: String
    var action: Action
    var resource: Element
    /// The id the sender gave the resource (its `Resource.id`, or the id of a `PUT Type/id`), which names
    /// it in the sender's namespace; nil when it has none.
    var senderID: String? {
        if case .update(let id, _) = self.action { return id }
        return self.resource.resourceID.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Reads an entry of a transaction or batch Bundle.
    ///
    /// - Throws: ``FHIRError`` with the status the entry would have had as a request of its own: 400 for a
    ///   missing or malformed request or a type mismatch, 405 for an unsupported method, 403 when the
    ///   sender may not write the type.
    static func read(_ entry: Element, index: Int, principal: Principal?) throws(FHIRError) -> BundleEntry {
        let path = "Bundle.entry[\(index)]"
        guard let request = entry.child("request"), let method = request.string("method"),
            let url = request.string("url")
        else {
            throw FHIRError(.badRequest, .required, "\(path) has no request method and url", path: "\(path).request")
        }
        guard method == "POST" || method == "PUT" else {
            throw FHIRError(
                .methodNotAllowed,
                .notSupported,
                "\(path): \(method) entries are not supported; only POST and PUT",
                path: "\(path).request.method"
            )
        }
        guard let resource = entry.child("resource") else {
            throw FHIRError(.badRequest, .required, "\(path) has no resource", path: path)
        }
        let (target, query) = Self.split(url)
        let segments = target.split(separator: "/").map(String.init)
        guard let type = segments.first, type == resource.type else {
            throw FHIRError(
                .badRequest,
                .invalid,
                "\(path).request.url names '\(segments.first ?? "")' but the resource is a \(resource.type)",
                path: "\(path).request.url"
            )
        }
        try RouteInput.authorize(principal, toWrite: type, as: method == "POST" ? .create : .update)
        let action: Action
        switch (method, segments.count, query) {
        case ("POST", 1, nil):
            action = .create(ifNoneExist: try request.string("ifNoneExist").map(RouteInput.identifierToken))
        case ("PUT", 2, nil):
            let id = segments[1]
            guard resource.resourceID == id else {
                throw FHIRError(
                    .badRequest,
                    .invalid,
                    "\(path): the resource id does not match request.url's id '\(id)'",
                    path: "\(path).resource.id"
                )
            }
            action = .update(id: id, ifMatch: try request.string("ifMatch").map(ResourceResponse.ifMatchVersion))
        case ("PUT", 1, let query?):
            action = .conditionalUpdate(identifier: try RouteInput.identifierToken(query))
        default:
            throw FHIRError(
                .badRequest,
                .invalid,
                "\(path).request.url '\(url)' is not supported",
                path: "\(path).request.url"
            )
        }
        return BundleEntry(
            index: index,
            fullUrl: entry.string("fullUrl"),
            type: type,
            action: action,
            resource: resource
        )
    }

    /// A resource of a message Bundle: written under the sender's id when it has one (so a message sent
    /// again makes no new version), else created.
    static func message(_ entry: Element, index: Int, principal: Principal?) throws(FHIRError) -> BundleEntry {
        guard let resource = entry.child("resource") else {
            throw FHIRError(
                .badRequest,
                .required,
                "Bundle.entry[\(index)] has no resource",
                path: "Bundle.entry[\(index)]"
            )
        }
        try RouteInput.authorize(principal, toWrite: resource.type, as: resource.resourceID == nil ? .create : .update)
        let action: Action = resource.resourceID.map { .update(id: $0, ifMatch: nil) } ?? .create(ifNoneExist: nil)
        return BundleEntry(
            index: index,
            fullUrl: entry.string("fullUrl"),
            type: resource.type,
            action: action,
            resource: resource
        )
    }

    /// `Patient?identifier=x` → (`Patient`, `identifier=x`); the query is nil without `?`.
    private static func split(_ url: String) -> (String, String?) {
        guard let mark = url.firstIndex(of: "?") else { return (url, nil) }
        return (String(url[..<mark]), String(url[url.index(after: mark)...]))
    }
}
