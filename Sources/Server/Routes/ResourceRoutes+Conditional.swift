import FHIRCore
import Foundation
import HTTPTypes
import Hummingbird
import Store

extension ResourceRoutes {
    /// `PUT /fhir/{type}?identifier=system|value` (R4 §3.1.0.4.3): updates the sender's one resource that
    /// carries the identifier, creates it when none does, and refuses (412) when several do.
    @Sendable func conditionalUpdate(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let start = ContinuousClock.now
        let type = try RouteInput.resourceType(context)
        try RouteInput.authorize(context, toWrite: type, as: .update)
        let token = try RouteInput.identifierToken(request.uri.query ?? "")
        return try await self.write(
            .conditionalUpdate(identifier: token),
            try await RouteInput.body(request, settings: self.settings, type: type),
            interaction: "update",
            since: start,
            request: request,
            context: context
        )
    }

    /// `DELETE /fhir/{type}/{id}` of the sender's own resource (R4 §3.1.0.7): a new version that deletes it,
    /// after which it reads 410 and searches do not find it. The episodes that held it record the
    /// withdrawal as an event, which partners hear of. Deleting what is deleted already answers the same.
    @Sendable func delete(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let type = try RouteInput.resourceType(context)
        let asked = try RouteInput.id(context)
        if type == "Subscription" {
            return try await self.subscriptions.delete(id: asked, request: request, context: context)
        }
        let sender = try RouteInput.authorize(context, toWrite: type, as: .delete)
        let name = ResourceName(type: type, id: asked)
        let lookup = try await self.store.lookUp([name], sender: sender.name)
        guard let id = SenderNamespace(sender: sender.name, lookup: lookup).ownResource(name) else {
            throw FHIRError(.notFound, .notFound, "\(type)/\(asked) is not known")
        }
        let received = RouteInput.received([], interaction: "delete", request: request, context: context)
        let message = IngestMessage(
            received: received,
            writes: [ResourceWrite(type: type, mode: .delete(id: id), content: [])]
        )
        let result = try await self.metrics.timeStore("ingest") { try await self.store.ingest(message) }
        context.access.noteAuditedByStore()
        let written = try result.entries.first?.get()
        var headers = HTTPFields()
        if let written { headers[.eTag] = ResourceResponse.eTag(written.resource.version) }
        let outcome = Outcome([
            Issue(
                .information,
                .informational,
                path: nil,
                written?.disposition == .deleted ? "Deleted \(type)/\(asked)" : "\(type)/\(asked) was deleted already"
            )
        ])
        return ResourceResponse.body(outcome.resource, status: .ok, headers: headers, format: context.responseFormat)
    }
}

extension ResourceResponse {
    /// 410 for a read of a deleted resource, with the ETag of the deletion.
    static func gone(_ stored: StoredResource) -> FHIRError {
        FHIRError(
            .gone,
            .deleted,
            "\(stored.type)/\(stored.id) was deleted",
            headers: [.eTag: self.eTag(stored.version)]
        )
    }

    /// 304 for a conditional read whose copy is current: `If-None-Match` names the current version
    /// (or `*`), or `If-Modified-Since` is not before the last change (HTTP dates count whole seconds).
    /// Nil when the read must answer in full; `If-None-Match` decides when both are sent (RFC 9110 §13.2.2).
    static func notModified(_ stored: StoredResource, request: Request) throws(FHIRError) -> Response? {
        let unchanged: Bool
        if let match = request.headers[.ifNoneMatch] {
            unchanged = match.split(separator: ",").contains { tag in
                let text = tag.trimmingWhitespace()
                return text == "*" || (try? self.ifMatchVersion(text)) == stored.version
            }
        } else if let since = request.headers[.ifModifiedSince], let date = FHIRTime.date(httpDate: since) {
            unchanged = stored.lastUpdated.timeIntervalSince1970.rounded(.down) <= date.timeIntervalSince1970
        } else {
            return nil
        }
        return unchanged ? Response(status: .notModified, headers: self.versionHeaders(stored)) : nil
    }
}
