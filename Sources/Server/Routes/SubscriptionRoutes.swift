import CoManagement
import FHIRCore
import Foundation
import HTTPTypes
import Hummingbird
import Store

/// Topic-based Subscriptions over REST (R4 Subscriptions Backport IG): a partner creates, reads, updates,
/// deletes and searches its own `Subscription` resources with its own credentials, asks their `$status`,
/// and recovers missed notifications with `$events`. Operators read every subscription.
///
/// The resource is checked as the IG profiles it (``CoManagement/TopicSubscription``): a topic this
/// gateway publishes, filters it understands, a `rest-hook` channel. A Subscription saved `requested`
/// (or `active`) gets its handshake from the forwarding side (Delivery's `SubscriptionKeeper`), which
/// makes it active; its status in reads and `$status` is the gateway's. The configuration's partners
/// appear as Subscriptions the configuration owns, with the partner's id: readable, not writable.
struct SubscriptionRoutes: Sendable {
    let store: any Store
    let settings: GatewaySettings
    let metrics: GatewayMetrics
    /// Called after a Subscription was saved or deleted, so delivery takes it up at once.
    let changed: @Sendable () -> Void

    /// Most events one `$events` answer carries.
    static let eventLimit = 100

    // MARK: Interactions

    func create(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        try await self.save(id: RouteInput.newID(), ifMatch: nil, request: request, context: context, creating: true)
    }

    func update(id: String, ifMatch: Int?, request: Request, context: GatewayRequestContext) async throws -> Response {
        try await self.save(id: id, ifMatch: ifMatch, request: request, context: context, creating: false)
    }

    func read(id: String, context: GatewayRequestContext) async throws -> Response {
        if id == "$status" { return try await self.statuses(context: context) }
        let record = try await self.readable(id, context: context)
        context.access.note(entity: "Subscription/\(id)/_history/\(record.version)")
        return try self.answer(record, status: .ok, context: context)
    }

    func delete(id: String, request: Request, context: GatewayRequestContext) async throws -> Response {
        let partner = try self.partner(context, for: .delete)
        let audit = self.audit("delete", id: id, partner: partner, context: context)
        let existing = try await self.store.subscription(id: id)
        if let existing, existing.owner == partner.id, existing.origin == .configuration {
            throw FHIRError(.forbidden, .forbidden, "Subscription/\(id) is owned by the gateway's configuration")
        }
        guard existing?.owner == partner.id,
            try await self.store.deleteSubscription(id: id, owner: partner.id, audit: audit)
        else {
            throw FHIRError(.notFound, .notFound, "Subscription/\(id) is not known")
        }
        context.access.noteAuditedByStore()
        self.changed()
        return Response(status: .noContent)
    }

    /// `GET /fhir/Subscription?status=…&_id=…`: the caller's subscriptions (every one for an operator).
    func search(_ pairs: [(String, String)], strict: Bool, context: GatewayRequestContext) async throws -> Response {
        let principal = try RouteInput.principal(context)
        try principal.grant.require(.search, on: "Subscription", for: principal)
        var statuses: Set<String>?
        var ids: Set<String>?
        var kept: [(name: String, value: String)] = []
        for (name, value) in pairs {
            let values = Set(value.split(separator: ",").map(String.init))
            switch name {
            case "status": statuses = (statuses ?? values).intersection(values)
            case "_id": ids = (ids ?? values).intersection(values)
            case "_format", "_count": continue
            default:
                if strict {
                    throw FHIRError(
                        .badRequest,
                        .notSupported,
                        "\(name): not a search parameter of Subscription (Prefer: handling=strict)"
                    )
                }
                continue
            }
            kept.append((name, value))
        }
        let records = try await self.visible(principal).filter { record in
            (statuses?.contains(record.status) ?? true) && (ids?.contains(record.id) ?? true)
        }
        context.access.note(entity: "Subscription")
        context.access.note(detail: "\(records.count) records")
        let bundle = SearchBundle.make(
            matches: try records.map { record throws(FHIRError) in try self.resource(record, base: context.fhirBase) },
            total: records.count,
            base: context.fhirBase,
            type: "Subscription",
            parameters: kept,
            next: nil
        )
        return ResourceResponse.body(bundle, status: .ok, format: context.responseFormat)
    }

    // MARK: Operations

    /// `GET /fhir/Subscription/{id}/$status` and `…/$events`.
    func operation(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let id = try RouteInput.id(context)
        switch context.parameters.get("operation") {
        case "$status":
            let record = try await self.readable(id, context: context)
            context.access.note(entity: "Subscription/\(id)")
            return try await self.statusBundle([record], context: context)
        case "$events":
            return try await self.events(id: id, request: request, context: context)
        default:
            throw FHIRError(
                .notFound,
                .notSupported,
                "Subscription has no operation '\(context.parameters.get("operation") ?? "")'"
            )
        }
    }

    /// `GET /fhir/Subscription/$status`: the status of every subscription of the caller.
    private func statuses(context: GatewayRequestContext) async throws -> Response {
        let principal = try RouteInput.principal(context)
        try principal.grant.require(.read, on: "Subscription", for: principal)
        context.access.note(entity: "Subscription")
        return try await self.statusBundle(try await self.visible(principal), context: context)
    }

    /// A searchset Bundle of SubscriptionStatus Parameters, one per subscription (`query-status`).
    private func statusBundle(_ records: [SubscriptionRecord], context: GatewayRequestContext) async throws -> Response
    {
        var statuses: [Element] = []
        for record in records {
            statuses.append(
                SubscriptionStatus(
                    id: RouteInput.newID(),
                    subscription: "\(context.fhirBase)/Subscription/\(record.id)",
                    topic: self.topic(of: record).map { SubscriptionTopic.canonical($0, base: context.fhirBase) },
                    status: record.status,
                    type: .queryStatus,
                    eventsSinceStart: try await self.store.subscriptionEventCount(id: record.id),
                    error: record.error
                ).resource()
            )
        }
        let bundle = Element.node(
            "Bundle",
            "Bundle",
            [
                .primitive("id", "id", RouteInput.newID()),
                .primitive("type", "code", "searchset"),
                .primitive("total", "unsignedInt", String(statuses.count)),
            ]
                + statuses.map { status in
                    .node(
                        "entry",
                        "Bundle.Entry",
                        [
                            .primitive("fullUrl", "uri", "urn:uuid:\(status.resourceID ?? "")"),
                            status.named("resource"),
                            .node("search", "Bundle.Search", [.primitive("mode", "code", "match")]),
                        ]
                    )
                }
        )
        return ResourceResponse.body(bundle, status: .ok, format: context.responseFormat)
    }

    /// `GET /fhir/Subscription/{id}/$events?eventsSinceNumber=&eventsUntilNumber=`: the notifications of
    /// those events again, as one `history` Bundle (`query-event`), at most ``eventLimit`` from the first;
    /// events whose episode's consent now refuses the partner are left out. Numbers never used (a
    /// transaction that rolled back drew them) have no event.
    private func events(id: String, request: Request, context: GatewayRequestContext) async throws -> Response {
        let record = try await self.readable(id, context: context)
        let parameters = request.uri.queryParameters
        func number(_ name: String) throws(FHIRError) -> Int? {
            guard let text = parameters.get(name) else { return nil }
            guard let value = Int(text), value >= 0 else {
                throw FHIRError(.badRequest, .value, "\(name) must be a non-negative integer, not '\(text)'")
            }
            return value
        }
        let count = try await self.store.subscriptionEventCount(id: id)
        let from = max(1, try number("eventsSinceNumber") ?? 1)
        let through = min(count, try number("eventsUntilNumber") ?? count)
        let found =
            from <= through
            ? try await self.store.subscriptionEvents(id: id, from: from, through: through, limit: Self.eventLimit)
            : []
        let principal = try RouteInput.principal(context)
        let represents: Set<String>? =
            if case .partner(let partner) = principal.role { partner.represents } else { nil }
        let events = found.filter { event in
            guard let represents else { return true }
            return event.parties?.consentPermits(
                representing: represents,
                defaultPermit: self.settings.consentDefaultPermit
            ) ?? false
        }
        context.access.note(entity: "Subscription/\(id)")
        context.access.note(detail: "events \(from)-\(through): \(events.count)")
        let bundle = SubscriptionEvents.bundle(
            events,
            record: record,
            topic: self.topic(of: record).map { SubscriptionTopic.canonical($0, base: context.fhirBase) },
            eventsSinceStart: count,
            base: context.fhirBase
        )
        return ResourceResponse.body(bundle, status: .ok, format: context.responseFormat)
    }

    // MARK: Parts

    private func save(
        id: String,
        ifMatch: Int?,
        request: Request,
        context: GatewayRequestContext,
        creating: Bool
    ) async throws -> Response {
        let partner = try self.partner(context, for: creating ? .create : .update)
        let (_, resource) = try await RouteInput.body(request, settings: self.settings, type: "Subscription")
        if !creating, let bodyID = resource.resourceID, bodyID != id {
            throw FHIRError(
                .badRequest,
                .invalid,
                "the body's id '\(bodyID)' does not match the URL's id '\(id)'",
                path: "Subscription.id"
            )
        }
        let subscription: TopicSubscription
        do {
            subscription = try TopicSubscription.read(resource, base: context.fhirBase)
        } catch {
            throw FHIRError(.unprocessableContent, outcome: error)
        }
        var content = resource
        content.children.removeAll { $0.name == "error" }
        let record = SubscriptionRecord(
            id: id,
            owner: partner.id,
            origin: .rest,
            // Asked active or requested, it is requested until its handshake succeeds.
            status: subscription.status == "off" ? "off" : "requested",
            lastUpdated: Date(),
            resource: ResourceCodec.storedContent(of: content),
            heartbeatPeriod: subscription.heartbeatPeriod
        )
        let saved = try await self.store.saveSubscription(
            record,
            ifMatch: ifMatch,
            audit: self.audit(creating ? "create" : "update", id: id, partner: partner, context: context)
        )
        context.access.noteAuditedByStore()
        self.changed()
        return try self.answer(saved, status: saved.version == 1 ? .created : .ok, context: context)
    }

    /// The resource of a record with its headers; `Location` for a write.
    private func answer(
        _ record: SubscriptionRecord,
        status: HTTPResponse.Status,
        context: GatewayRequestContext
    ) throws(FHIRError) -> Response {
        let stored = StoredResource(
            type: "Subscription",
            id: record.id,
            version: record.version,
            owner: record.owner,
            lastUpdated: record.lastUpdated,
            content: []
        )
        var headers = ResourceResponse.versionHeaders(stored)
        if status == .created { headers[.location] = ResourceResponse.location(of: stored, context: context) }
        return ResourceResponse.body(
            try self.resource(record, base: context.fhirBase),
            status: status,
            headers: headers,
            format: context.responseFormat
        )
    }

    /// The Subscription resource of a record: the stored one with the gateway's status and error, or for
    /// the configuration's, one that says so.
    private func resource(_ record: SubscriptionRecord, base: String) throws(FHIRError) -> Element {
        var content: [UInt8] = record.resource
        if record.origin == .configuration {
            content = Array(
                #"{"resourceType":"Subscription","status":"active","reason":"Delivery to a partner of the gateway's configuration, which owns this subscription","criteria":"\#(SubscriptionTopic.canonical(SubscriptionTopic.all, base: base))","channel":{"type":"rest-hook"}}"#
                    .utf8
            )
        }
        var resource = try ResourceCodec.element(
            of: StoredResource(
                type: "Subscription",
                id: record.id,
                version: record.version,
                owner: record.owner,
                lastUpdated: record.lastUpdated,
                content: content
            )
        )
        if let index = resource.children.firstIndex(where: { $0.name == "status" }) {
            resource.children[index].value = record.status
            if let error = record.error {
                resource.children.insert(.primitive("error", "string", error), at: index + 1)
            }
        }
        return resource
    }

    private func topic(of record: SubscriptionRecord) -> String? {
        guard record.origin == .rest else { return SubscriptionTopic.all }
        guard let resource = try? FHIRJSON.read(record.resource).root else { return nil }
        return resource.string("criteria").flatMap { SubscriptionTopic.name(of: $0, base: nil) }
    }

    /// The subscription `id` if the caller may read it: its own partner's, or any for an operator; 404
    /// otherwise.
    private func readable(_ id: String, context: GatewayRequestContext) async throws -> SubscriptionRecord {
        let principal = try RouteInput.principal(context)
        try principal.grant.require(.read, on: "Subscription", for: principal)
        guard let record = try await self.store.subscription(id: id) else {
            throw FHIRError(.notFound, .notFound, "Subscription/\(id) is not known")
        }
        switch principal.role {
        case .operator: return record
        case .partner(let partner) where partner.id == record.owner: return record
        default: throw FHIRError(.notFound, .notFound, "Subscription/\(id) is not known")
        }
    }

    /// The subscriptions the caller may see.
    private func visible(_ principal: Principal) async throws -> [SubscriptionRecord] {
        switch principal.role {
        case .operator: return try await self.store.subscriptions(owner: nil)
        case .partner(let partner): return try await self.store.subscriptions(owner: partner.id)
        case .sender: throw FHIRError(.forbidden, .forbidden, "only partners subscribe")
        }
    }

    /// The partner writing a Subscription: 403 for any other role, or a grant without `permission`.
    private func partner(
        _ context: GatewayRequestContext,
        for permission: Scope.Permissions
    ) throws(FHIRError)
        -> PartnerAccount
    {
        let principal = try RouteInput.principal(context)
        guard case .partner(let partner) = principal.role else {
            throw FHIRError(
                .forbidden,
                .forbidden,
                "\(principal.roleName) '\(principal.name)' may not write Subscription"
            )
        }
        try principal.grant.require(permission, on: "Subscription", for: principal)
        return partner
    }

    private func audit(
        _ action: String,
        id: String,
        partner: PartnerAccount,
        context: GatewayRequestContext
    ) -> AuditEntry {
        AuditEntry(
            at: Date(),
            action: action,
            outcome: .success,
            sender: partner.id,
            resourceReference: "Subscription/\(id)",
            correlationID: context.correlationID,
            detail: "\(action): subscription",
            role: "partner",
            source: context.remoteAddress
        )
    }
}
