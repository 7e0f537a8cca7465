import FHIRCore
import Foundation
import HTTPTypes
import Hummingbird
import Store

/// `POST /fhir`: transaction, batch and message Bundles (https://hl7.org/fhir/R4/http.html#transaction).
///
/// Each Bundle is one ``IngestMessage``: the raw body, every write and their audit records commit in one
/// store transaction, atomically for a transaction or message, entry by entry for a batch.
struct BundleRoutes: Sendable {
    let store: any Store
    let settings: GatewaySettings
    let metrics: GatewayMetrics

    func register(on fhir: RouterGroup<GatewayRequestContext>) {
        fhir.post(use: self.process)
        fhir.post("$process-message", use: self.processMessage)
    }

    /// `POST /fhir/$process-message` (https://hl7.org/fhir/R4/messageheader-operation-process-message.html):
    /// a message Bundle, processed as `POST /fhir` processes one, answered with the response message.
    // These two are left unoptimised: the release build of Swift 6.3.1 crashes splitting their coroutines
    // (LLVM CoroSplit, after inlining into them). What they do themselves is dispatch; the work is in
    // functions optimised as usual.
    @_optimize(none)
    @Sendable func processMessage(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let start = ContinuousClock.now
        let (bytes, bundle) = try await RouteInput.body(request, settings: self.settings)
        guard bundle.type == "Bundle", bundle.string("type") == "message" else {
            throw FHIRError(.badRequest, .invalid, "$process-message takes a message Bundle", path: "Bundle.type")
        }
        let received = RouteInput.received(bytes, interaction: "message", request: request, context: context)
        let answer = try await self.message(bundle, received: received, request: request, context: context)
        self.metrics.recordIngest("message", since: start)
        context.access.noteAuditedByStore()
        return ResourceResponse.body(answer, status: .ok, format: context.responseFormat)
    }

    @_optimize(none)
    @Sendable func process(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let start = ContinuousClock.now
        let (bytes, bundle) = try await RouteInput.body(request, settings: self.settings)
        guard bundle.type == "Bundle" else {
            throw FHIRError(.badRequest, .invalid, "POST /fhir takes a Bundle, not a \(bundle.type)")
        }
        let type = bundle.string("type") ?? ""
        let received = RouteInput.received(bytes, interaction: type, request: request, context: context)
        let answer: Element
        switch type {
        case "transaction":
            answer = try await self.transaction(bundle, received: received, request: request, context: context)
        case "batch":
            answer = try await self.batch(bundle, received: received, request: request, context: context)
        case "message":
            answer = try await self.message(bundle, received: received, request: request, context: context)
        default:
            throw FHIRError(
                .badRequest,
                .notSupported,
                "POST /fhir takes a transaction, batch or message Bundle, not '\(type)'",
                path: "Bundle.type"
            )
        }
        self.metrics.recordIngest(type, since: start)
        // The store audited every entry in the Bundle's transaction.
        context.access.noteAuditedByStore()
        return ResourceResponse.body(answer, status: .ok, format: context.responseFormat)
    }

    private func transaction(
        _ bundle: Element,
        received: ReceivedMessage,
        request: Request,
        context: GatewayRequestContext
    ) async throws -> Element {
        var entries: [BundleEntry] = []
        for (index, entry) in bundle.children(named: "entry").enumerated() {
            entries.append(try BundleEntry.read(entry, index: index, principal: context.principal))
        }
        let result = try await self.ingestAtomically(entries, received: received)
        return try BundleResponse.make(
            type: "transaction-response",
            slots: result.entries.map { $0.mapError(FHIRError.init(storeError:)) },
            preference: ResourceResponse.Preference(request),
            base: context.fhirBase,
            warnings: result.issues
        )
    }

    private func batch(
        _ bundle: Element,
        received: ReceivedMessage,
        request: Request,
        context: GatewayRequestContext
    ) async throws -> Element {
        var entries: [Result<BundleEntry, FHIRError>] = []
        for (index, entry) in bundle.children(named: "entry").enumerated() {
            do throws(FHIRError) {
                entries.append(.success(try BundleEntry.read(entry, index: index, principal: context.principal)))
            } catch {
                entries.append(.failure(error))
            }
        }
        let (plan, result) = try await self.intake.batch(entries, received: received)
        let slots: [Result<WriteResult, FHIRError>] = plan.slots.map { slot in
            switch slot {
            case .write(let index): result.entries[index].mapError(FHIRError.init(storeError:))
            case .failed(let error): .failure(error)
            }
        }
        return try BundleResponse.make(
            type: "batch-response",
            slots: slots,
            preference: ResourceResponse.Preference(request),
            base: context.fhirBase,
            warnings: result.issues
        )
    }

    private func message(
        _ bundle: Element,
        received: ReceivedMessage,
        request: Request,
        context: GatewayRequestContext
    ) async throws -> Element {
        let selection = try MessageFocus.select(bundle)
        var entries: [BundleEntry] = []
        for (index, entry) in selection.entries {
            entries.append(try BundleEntry.message(entry, index: index, principal: context.principal))
        }
        let result = try await self.ingestAtomically(entries, received: received)
        let focus = zip(selection.entries, result.entries).compactMap { selected, written in
            selection.focusIndexes.contains(selected.index) ? try? written.get() : nil
        }
        return BundleResponse.message(
            request: selection.header,
            bundleID: bundle.resourceID,
            focus: focus,
            base: context.fhirBase,
            warnings: result.issues.keys.sorted().flatMap { result.issues[$0]! }
        )
    }

    private var intake: MessageIntake { MessageIntake(store: self.store, metrics: self.metrics) }

    private func ingestAtomically(_ entries: [BundleEntry], received: ReceivedMessage) async throws -> IngestResult {
        try await self.intake.atomic(entries, received: received)
    }
}
