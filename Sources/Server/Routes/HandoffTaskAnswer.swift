import CoManagement
import FHIRCore
import Foundation
import Hummingbird
import Store

/// `PUT /fhir/Task/{id}` by a partner: the answer to a hand-off Task Tandem created
/// (``CoManagement/HandoffTaskResources``), as BSeR has the recipient of a Referral Task answer it.
///
/// Only the partner that represents the Task's owner may answer, at the Task's gateway id, with its own
/// credentials (a token, or a SMART access token with `u` on Task), and it may change `status`,
/// `businessStatus` and `output` only: any other difference is refused with an OperationOutcome naming the
/// element. Tandem keeps the Task: it writes the new version (with `lastModified` the time of the
/// answer, read from the gateway's clock), normalises it as its own, so the answer becomes the referral's
/// acceptance or the handoff's acknowledgement, and tells partners in the same transaction. The access is
/// audited as the partner's, the version as Tandem's write.
struct HandoffTaskAnswer: Sendable {
    let store: any Store
    let metrics: GatewayMetrics
    let access: ReadAccess
    let clock: any WallClock

    /// The elements an owner may change; `id`, `meta`, `text` and `lastModified` are Tandem's to keep.
    static let answerable: Set<String> = ["status", "businessStatus", "output"]
    static let kept: Set<String> = ["id", "meta", "text", "lastModified"]

    func update(
        _ request: Request,
        context: GatewayRequestContext,
        partner: PartnerAccount,
        principal: Principal,
        id: String,
        settings: GatewaySettings
    ) async throws -> Response {
        try principal.grant.require(.update, on: "Task", for: principal)
        // 404 unless the partner may read the Task at all (routed, and consent permits).
        _ = try await self.access.resourceID(type: "Task", id: id, for: principal)
        let reference = "Task/\(id)"
        guard let stored = try await self.store.read(type: "Task", id: id), stored.owner == HandoffTaskResources.sender
        else {
            throw FHIRError(.forbidden, .forbidden, "a partner may answer only the hand-off Tasks Tandem created")
        }
        try await self.requireOwner(partner, of: reference)
        let ifMatch = try ResourceResponse.ifMatchVersion(request)
        let (bytes, body) = try await RouteInput.body(request, settings: settings)
        guard body.type == "Task" else {
            throw FHIRError(.badRequest, .invalid, "the body is a \(body.type), but the URL names Task")
        }
        guard body.resourceID == id else {
            throw FHIRError(.badRequest, .invalid, "the body's id must be the Task's id '\(id)'", path: "Task.id")
        }
        let current = try ResourceCodec.element(of: stored)
        let names = Set(current.children.map(\.name)).union(body.children.map(\.name))
            .subtracting(Self.answerable).subtracting(Self.kept)
        for name in names.sorted() where current.children(named: name) != body.children(named: name) {
            throw FHIRError(
                .unprocessableContent,
                .businessRule,
                "a partner may change only status, businessStatus and output of a Task Tandem owns",
                path: "Task.\(name)"
            )
        }
        var answer = current
        answer.replaceChildren(named: "meta", with: [])
        for name in Self.answerable.sorted() {
            answer.replaceChildren(named: name, with: body.children(named: name))
        }
        answer.replaceChildren(
            named: "lastModified",
            with: [Element(name: "lastModified", type: "dateTime", value: self.clock.now().fhirText)]
        )
        let write = ResourceWrite(
            type: "Task",
            mode: .update(id: id, ifMatch: ifMatch),
            content: ResourceCodec.storedContent(of: answer),
            identifierKey: ResourceCodec.identifierKey(of: answer),
            identifiers: ResourceCodec.identifierTokens(of: answer),
            resource: answer
        )
        let received = ReceivedMessage(
            body: bytes,
            contentType: request.headers[.contentType] ?? "",
            sender: HandoffTaskResources.sender,
            correlationID: context.correlationID,
            receivedAt: Date(),
            interaction: "update (answer of partner \(partner.id))"
        )
        let result = try await self.metrics.timeStore("ingest") {
            try await self.store.ingest(IngestMessage(received: received, writes: [write], atomic: true))
        }
        context.access.note(entity: reference)
        guard let entry = result.entries.first else {
            throw FHIRError(.internalServerError, .exception, "the store returned no result")
        }
        return try ResourceResponse.written(
            try entry.get(),
            request: request,
            context: context,
            warnings: result.issues[reference] ?? []
        )
    }

    /// 403 unless the partner represents the participant the hand-off Task is for.
    private func requireOwner(_ partner: PartnerAccount, of reference: String) async throws {
        let records = try await self.store.episodes(holding: reference)
        let decoder = JSONDecoder()
        for record in records {
            guard let episode = try? decoder.decode(Episode.self, from: Data(record.document)),
                let task = episode.tasks.first(where: { $0.tandemTask == reference })
            else { continue }
            if episode.parties.participantKeys(representedBy: partner.represents).contains(task.owner) { return }
        }
        throw FHIRError(
            .forbidden,
            .forbidden,
            "only the partner representing the Task's owner may answer it ('\(partner.id)' does not)"
        )
    }
}
