import FHIRCore
import Foundation
import HTTPTypes
import Hummingbird
import Store

/// Reads and checks what a request brings: path parameters, body, conditional headers, the sender's rights.
enum RouteInput {
    /// The `_count` search parameter: `default` when absent, at most `maximum`.
    static func count(_ request: Request, default: Int, maximum: Int) throws(FHIRError) -> Int {
        guard let text = request.uri.queryParameters.get("_count") else { return `default` }
        guard let value = Int(text), value >= 0 else {
            throw FHIRError(.badRequest, .invalid, "_count must be a non-negative integer")
        }
        return min(value, maximum)
    }

    /// The `{type}` path parameter, which must be an R4 resource type.
    static func resourceType(_ context: GatewayRequestContext) throws(FHIRError) -> String {
        let type = context.parameters.get("type") ?? ""
        guard R4Metadata.shared.isResource(type) else {
            throw FHIRError(.notFound, .notSupported, "'\(type)' is not a FHIR R4 resource type")
        }
        return type
    }

    /// The `{type}` of an instance read: an R4 resource type the gateway stores resources of. AuditEvent
    /// is searched only (405), as the CapabilityStatement says.
    static func readableType(_ context: GatewayRequestContext) throws(FHIRError) -> String {
        let type = try self.resourceType(context)
        guard type != "AuditEvent" else {
            throw FHIRError(
                .methodNotAllowed,
                .notSupported,
                "AuditEvent is searched, not read: GET /fhir/AuditEvent?…"
            )
        }
        return type
    }

    /// The `{id}` path parameter, which must be a FHIR id (`[A-Za-z0-9\-\.]{1,64}`).
    static func id(_ context: GatewayRequestContext) throws(FHIRError) -> String {
        let id = context.parameters.get("id") ?? ""
        guard ReferenceText.isID(id) else { throw FHIRError(.badRequest, .invalid, "'\(id)' is not a valid FHIR id") }
        return id
    }

    /// The authenticated principal; 401 without one.
    static func principal(_ context: GatewayRequestContext) throws(FHIRError) -> Principal {
        guard let principal = context.principal else {
            throw AuthenticationMiddleware.unauthorized("the request has no bearer token")
        }
        return principal
    }

    /// The sender writing `type`: 401 without a principal, 403 unless it is a sender that may write `type`
    /// and its grant permits `permission` (create or update) on it.
    @discardableResult
    static func authorize(
        _ context: GatewayRequestContext,
        toWrite type: String,
        as permission: Scope.Permissions
    ) throws(FHIRError) -> Sender {
        try self.authorize(context.principal, toWrite: type, as: permission)
    }

    /// The sender writing `type`: 401 without a principal, 403 unless it is a sender that may write `type`
    /// and its grant permits `permission` (create or update) on it. The role is asked first, the grant
    /// (SMART scopes) second: a scope never lets a non-sender write.
    @discardableResult
    static func authorize(
        _ principal: Principal?,
        toWrite type: String,
        as permission: Scope.Permissions
    ) throws(FHIRError) -> Sender {
        guard let principal else {
            throw AuthenticationMiddleware.unauthorized("the request has no bearer token")
        }
        switch type {
        case "AuditEvent":
            throw FHIRError(.methodNotAllowed, .notSupported, "AuditEvent is written by the gateway alone")
        case "Subscription":
            throw FHIRError(
                .methodNotAllowed,
                .notSupported,
                "a Subscription is written by its partner with POST or PUT /fhir/Subscription, not in a Bundle"
            )
        default: break
        }
        guard let sender = principal.sender else {
            throw FHIRError(
                .forbidden,
                .forbidden,
                "\(principal.roleName) '\(principal.name)' may not write \(type)"
            )
        }
        guard sender.mayWrite(type) else {
            throw FHIRError(.forbidden, .forbidden, "sender '\(sender.name)' may not write \(type)")
        }
        try principal.grant.require(permission, on: type, for: principal)
        return sender
    }

    /// Collects the body up to the limit and reads it as a validated resource.
    static func body(_ request: Request, settings: GatewaySettings) async throws -> (bytes: [UInt8], resource: Element)
    {
        let format = try FormatNegotiation.bodyFormat(for: request)
        let bytes = try await self.bytes(request, settings: settings)
        return (bytes, try ResourceCodec.read(bytes, as: format, limits: settings.readLimits))
    }

    /// The body read as a validated resource of the type the URL names.
    ///
    /// - Throws: ``FHIRError`` 400 when it is another type, and as ``body(_:settings:)`` does.
    static func body(
        _ request: Request,
        settings: GatewaySettings,
        type: String
    ) async throws -> (bytes: [UInt8], resource: Element) {
        let body = try await self.body(request, settings: settings)
        guard body.resource.type == type else {
            throw FHIRError(.badRequest, .invalid, "the body is a \(body.resource.type), but the URL names \(type)")
        }
        return body
    }

    /// The body as the client wrote it: collected up to the limit, inflated when it came gzip or deflate
    /// (the limit then bounds what it inflates to), without a leading UTF-8 byte order mark.
    ///
    /// - Throws: ``FHIRError`` 413 past the limit, 415 for a coding the gateway cannot read, 400 for a
    ///   corrupt compressed body.
    static func bytes(_ request: Request, settings: GatewaySettings) async throws -> [UInt8] {
        let coding = try ContentCoding.of(request)
        let buffer = try await request.body.collect(upTo: settings.maximumBodyBytes)
        var bytes = try coding.decode(Array(buffer.readableBytesView), limit: settings.maximumBodyBytes)
        // Windows tools write one; JSON (RFC 8259 §8.1) and FHIR say nothing of it, so it is dropped.
        if bytes.starts(with: Self.byteOrderMark) { bytes.removeFirst(Self.byteOrderMark.count) }
        return bytes
    }

    static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// `If-None-Exist: identifier=system|value` → `system|value`; nil without the header.
    ///
    /// - Throws: ``FHIRError`` 400 for any other search: identifier is the only parameter supported.
    static func ifNoneExist(_ request: Request) throws(FHIRError) -> String? {
        try request.headers[.ifNoneExist].map(self.identifierToken)
    }

    /// `identifier=system|value` (a search query, as `If-None-Exist`, `Bundle.entry.request.ifNoneExist`
    /// and conditional update URLs carry it) → `system|value`.
    ///
    /// - Throws: ``FHIRError`` 400 for any other search: identifier is the only parameter supported.
    static func identifierToken(_ search: String) throws(FHIRError) -> String {
        let query = search.hasPrefix("?") ? String(search.dropFirst()) : search
        let parts = query.split(separator: "=", maxSplits: 1)
        guard parts.count == 2, parts[0] == "identifier", !query.contains("&") else {
            throw FHIRError(.badRequest, .notSupported, "conditional requests support only identifier=system|value")
        }
        let token = String(parts[1]).removingPercentEncoding ?? String(parts[1])
        return token.contains("|") ? token : "|" + token
    }

    static func newID() -> String { ServerAssignedID.make() }

    /// The request's W3C `traceparent`, or a new trace when it has none (or a malformed one): the
    /// notifications the message causes continue it.
    static func traceparent(_ request: Request) -> TraceParent {
        request.headers[.traceparent].flatMap(TraceParent.init) ?? .random()
    }

    static func received(
        _ bytes: [UInt8],
        interaction: String,
        request: Request,
        context: GatewayRequestContext
    ) -> ReceivedMessage {
        ReceivedMessage(
            body: bytes,
            contentType: request.headers[.contentType] ?? "",
            sender: context.sender?.name ?? "",
            correlationID: context.correlationID,
            receivedAt: Date(),
            interaction: interaction,
            traceparent: Self.traceparent(request).description
        )
    }
}

extension UInt8 {
    var isASCIIAlphanumeric: Bool {
        (self >= 48 && self <= 57) || (self >= 65 && self <= 90) || (self >= 97 && self <= 122)
    }
}

extension HTTPField.Name {
    /// W3C Trace Context (https://www.w3.org/TR/trace-context/).
    static let traceparent = HTTPField.Name("traceparent")!
}
