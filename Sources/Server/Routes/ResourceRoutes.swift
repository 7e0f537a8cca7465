import FHIRCore
import Foundation
import HTTPTypes
import Hummingbird
import Store

/// The instance and type interactions on `/fhir/{type}`: create, update (also conditional, by
/// identifier), read (with `If-None-Match` and `If-Modified-Since`), version read, history and delete.
/// `Subscription` goes to ``SubscriptionRoutes``.
struct ResourceRoutes: Sendable {
    let store: any Store
    let settings: GatewaySettings
    let metrics: GatewayMetrics
    let access: ReadAccess
    /// Where a partner's answer to one of Tandem's hand-off Tasks goes.
    let answers: HandoffTaskAnswer
    let subscriptions: SubscriptionRoutes

    func register(on fhir: RouterGroup<GatewayRequestContext>) {
        fhir.post(":type", use: self.create)
        fhir.put(":type", use: self.conditionalUpdate)
        fhir.put(":type/:id", use: self.update)
        fhir.get(":type/:id", use: self.read)
        fhir.delete(":type/:id", use: self.delete)
        fhir.get(":type/:id/:operation", use: self.operation)
        fhir.get(":type/:id/_history", use: self.history)
        fhir.get(":type/:id/_history/:vid", use: self.versionRead)
        // Interactions the CapabilityStatement does not offer answer 405, not 404.
        fhir.on(":type/:id", method: .patch, use: self.notSupported)
        for method in [HTTPRequest.Method.delete, .patch] {
            fhir.on(":type", method: method, use: self.notSupported)
        }
    }

    @Sendable func create(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let start = ContinuousClock.now
        let type = try RouteInput.resourceType(context)
        if type == "Subscription" { return try await self.subscriptions.create(request, context: context) }
        try RouteInput.authorize(context, toWrite: type, as: .create)
        return try await self.write(
            .create(ifNoneExist: try RouteInput.ifNoneExist(request)),
            try await RouteInput.body(request, settings: self.settings, type: type),
            interaction: "create",
            since: start,
            request: request,
            context: context
        )
    }

    @Sendable func update(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let start = ContinuousClock.now
        let type = try RouteInput.resourceType(context)
        let id = try RouteInput.id(context)
        // A partner writes one thing only: its answer to a hand-off Task Tandem asked it to take.
        if type == "Task", let principal = context.principal, case .partner(let partner) = principal.role {
            let response = try await self.answers.update(
                request,
                context: context,
                partner: partner,
                principal: principal,
                id: id,
                settings: self.settings
            )
            self.metrics.recordIngest("update", since: start)
            return response
        }
        let ifMatch = try ResourceResponse.ifMatchVersion(request)
        if type == "Subscription" {
            return try await self.subscriptions.update(id: id, ifMatch: ifMatch, request: request, context: context)
        }
        try RouteInput.authorize(context, toWrite: type, as: .update)
        let body = try await RouteInput.body(request, settings: self.settings, type: type)
        let resource = body.resource
        // FHIR R4 §3.1.0.4: the body must carry an id, and it must equal the id in the URL.
        guard let bodyID = resource.resourceID else {
            throw FHIRError(
                .badRequest,
                .required,
                "an update must carry the resource id in the body",
                path: "\(type).id"
            )
        }
        guard bodyID == id else {
            throw FHIRError(
                .badRequest,
                .invalid,
                "the body's id '\(bodyID)' does not match the URL's id '\(id)'",
                path: "\(type).id"
            )
        }
        return try await self.write(
            .update(id: id, ifMatch: ifMatch),
            body,
            interaction: "update",
            since: start,
            presentedAs: id,
            request: request,
            context: context
        )
    }

    @Sendable func read(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let type = try RouteInput.readableType(context)
        if type == "Subscription" {
            // `Subscription/$status` is the type-level operation, not an id.
            let id = context.parameters.get("id") == "$status" ? "$status" : try RouteInput.id(context)
            return try await self.subscriptions.read(id: id, context: context)
        }
        let (asked, id) = try await self.readableID(type: type, context: context)
        let stored = try await self.metrics.timeStore("read") { try await self.store.read(type: type, id: id) }
        guard let stored else { throw FHIRError(.notFound, .notFound, "\(type)/\(asked) is not known") }
        self.noteRead(stored, context: context)
        if stored.isDeletion { throw ResourceResponse.gone(stored.presented(as: asked)) }
        if let unchanged = try ResourceResponse.notModified(stored, request: request) { return unchanged }
        return try ResourceResponse.read(stored.presented(as: asked), context: context)
    }

    @Sendable func versionRead(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let type = try RouteInput.readableType(context)
        let (asked, id) = try await self.readableID(type: type, context: context)
        let versionText = context.parameters.get("vid") ?? ""
        guard let version = Int(versionText), version > 0 else {
            throw FHIRError(.notFound, .notFound, "\(type)/\(asked) has no version '\(versionText)'")
        }
        let stored = try await self.metrics.timeStore("vread") {
            try await self.store.read(type: type, id: id, version: version)
        }
        guard let stored else { throw FHIRError(.notFound, .notFound, "\(type)/\(asked) has no version \(version)") }
        self.noteRead(stored, context: context)
        if stored.isDeletion { throw ResourceResponse.gone(stored.presented(as: asked)) }
        return try ResourceResponse.read(stored.presented(as: asked), context: context)
    }

    @Sendable func history(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let type = try RouteInput.readableType(context)
        let (asked, id) = try await self.readableID(type: type, context: context)
        let versions = try await self.metrics.timeStore("history") { try await self.store.history(type: type, id: id) }
        guard !versions.isEmpty else { throw FHIRError(.notFound, .notFound, "\(type)/\(asked) is not known") }
        context.access.note(entity: "\(type)/\(id)", patient: type == "Patient" ? "Patient/\(id)" : nil)
        let bundle = try HistoryBundle.make(
            versions.map { $0.presented(as: asked) },
            base: context.fhirBase
        )
        return ResourceResponse.body(bundle, status: .ok, format: context.responseFormat)
    }

    /// Instance operations: `Subscription/{id}/$status` and `$events`.
    @Sendable func operation(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let type = try RouteInput.resourceType(context)
        guard type == "Subscription" else {
            throw FHIRError(
                .notFound,
                .notSupported,
                "\(type) has no operation '\(context.parameters.get("operation") ?? "")'"
            )
        }
        return try await self.subscriptions.operation(request, context: context)
    }

    @Sendable func notSupported(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        throw FHIRError.methodNotAllowed(request.method, request.uri.path)
    }

    /// The `{id}` the client asked for, and the gateway id of the resource it may read by it (``ReadAccess``).
    /// The answer shows the id asked for, as a read must (R4 §3.1.0.2): a sender reading by its own id
    /// sees its own id.
    func readableID(type: String, context: GatewayRequestContext) async throws -> (asked: String, id: String) {
        let asked = try RouteInput.id(context)
        let id = try await self.access.resourceID(type: type, id: asked, for: try RouteInput.principal(context))
        return (asked, id)
    }

    /// Notes for the audit record what was read (by gateway id) and whose it is: the patient itself, or
    /// the patient the resource's `subject` or `patient` names (``ResourceResponse/read(_:context:)``
    /// notes that once it has the resource's tree).
    private func noteRead(_ stored: StoredResource, context: GatewayRequestContext) {
        context.access.note(
            entity: stored.versionedReference,
            patient: stored.type == "Patient" ? stored.reference : nil
        )
    }

    /// Stores a create or update of one resource and answers as a write does; `id`: the id the client
    /// named it by, which the answer shows.
    func write(
        _ action: BundleEntry.Action,
        _ body: (bytes: [UInt8], resource: Element),
        interaction: String,
        since start: ContinuousClock.Instant,
        presentedAs id: String? = nil,
        request: Request,
        context: GatewayRequestContext
    ) async throws -> Response {
        let entry = BundleEntry(
            index: 0,
            fullUrl: nil,
            type: body.resource.type,
            action: action,
            resource: body.resource
        )
        let result = try await self.ingest(
            entry,
            bytes: body.bytes,
            interaction: interaction,
            request: request,
            context: context
        )
        self.metrics.recordIngest(interaction, since: start)
        return try ResourceResponse.written(
            id.map { result.write.presented(as: $0) } ?? result.write,
            request: request,
            context: context,
            warnings: result.warnings
        )
    }

    /// Plans and stores the message (with its raw body) and returns the single write's result, with the
    /// normaliser's warnings about its resource.
    func ingest(
        _ entry: BundleEntry,
        bytes: [UInt8],
        interaction: String,
        request: Request,
        context: GatewayRequestContext
    ) async throws -> (write: WriteResult, warnings: [Issue]) {
        let received = RouteInput.received(bytes, interaction: interaction, request: request, context: context)
        let result = try await MessageIntake(store: self.store, metrics: self.metrics).atomic(
            [entry],
            received: received
        )
        context.access.noteAuditedByStore()
        guard let entry = result.entries.first else {
            throw FHIRError(.internalServerError, .exception, "the store returned no result")
        }
        let write = try entry.get()
        return (write, result.issues[write.resource.reference] ?? [])
    }
}
