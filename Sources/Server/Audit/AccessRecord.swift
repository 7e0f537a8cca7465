import Foundation
import HTTPTypes
import Hummingbird
import Store

/// The audit record of one request: the interaction, who made it, what it touched, its outcome.
///
/// The record names resources by gateway id and the patient by reference or the identifier searched
/// for; the reason of a refusal is the OperationOutcome's message, which names types, ids and codes and
/// never content.
enum AccessRecord {
    static func entry(
        request: Request,
        context: GatewayRequestContext,
        principal: Principal?,
        status: HTTPResponse.Status,
        reason: String? = nil
    ) -> AuditEntry {
        let facts = context.access.current
        let interaction = self.interaction(request.method, context.endpointPath ?? request.uri.path)
        var detail = "\(interaction): \(status.code)"
        if let client = principal?.client { detail += " via client \(client)" }
        if let extra = facts.detail ?? reason { detail += ": \(extra)" }
        let agent = principal.map { ($0.name, $0.roleName) } ?? facts.client.map { ($0.id, "client") }
        return AuditEntry(
            at: Date(),
            action: interaction,
            outcome: self.outcome(status),
            sender: agent?.0,
            resourceReference: facts.entity ?? self.entity(interaction, context: context),
            correlationID: context.correlationID,
            detail: String(detail.prefix(500)),
            role: agent?.1,
            patient: facts.patient,
            source: context.remoteAddress
        )
    }

    /// `read`, `vread`, `history`, `search`, `create`, `update`, `delete`, `bundle`, `operation` or
    /// `token`, from the route.
    static func interaction(_ method: HTTPRequest.Method, _ route: String) -> String {
        let segments = route.split(separator: "/")
        if segments.first == "fhir", let last = segments.last {
            if last == "_search" { return "search" }
            if last.hasPrefix("$") { return "operation" }
        }
        switch (method, segments.first) {
        case (.post, "auth"): return "token"
        case (.get, "episodes"), (.get, "deliveries"): return segments.count > 1 ? "read" : "search"
        case (.get, "unmatched"): return "search"
        case (.get, "fhir"):
            if segments.count == 2 { return "search" }
            if segments.count == 4 { return "history" }
            if segments.count == 5 { return "vread" }
            return "read"
        case (.post, "fhir"): return segments.count == 1 ? "bundle" : "create"
        case (.put, "fhir"): return "update"
        default: return method.rawValue.lowercased()
        }
    }

    /// What the request addressed, from its path: `Type/id`, `Type`, or `episodes/id`.
    private static func entity(_ interaction: String, context: GatewayRequestContext) -> String? {
        if let type = context.parameters.get("type") {
            guard let id = context.parameters.get("id") else { return type }
            return "\(type)/\(id)"
        }
        if let id = context.parameters.get("id") { return "episodes/\(id)" }
        return nil
    }

    /// `AuditEvent.outcome`: success, minor failure for what the client got wrong, serious failure for
    /// what the gateway did.
    static func outcome(_ status: HTTPResponse.Status) -> AuditEntry.Outcome {
        switch status.code {
        case 200..<400: .success
        case 400..<500: .minorFailure
        default: .seriousFailure
        }
    }
}
