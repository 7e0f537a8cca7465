import FHIRCore
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Every failure is an OperationOutcome, in the client's format, with the right status, and never quotes
/// the database.
@Suite struct BadInputTests {
    /// Words of SQLite's, PostgreSQL's and the drivers' own messages.
    static let databaseWords = [
        "sqlite", "postgres", "sqlstate", "constraint", "unique", "duplicate key", "relation", "syntax error",
        "select ", "insert ", "violates",
    ]

    static func expectOutcome(
        _ response: TestResponse,
        _ status: HTTPResponse.Status,
        _ format: WireFormat,
        code: String? = nil
    ) throws {
        #expect(response.status == status)
        #expect(response.headers[.contentType]?.hasPrefix(format.mediaType) == true)
        let outcome = try GatewayFixture.resource(response, format)
        #expect(outcome.type == "OperationOutcome")
        if let code { #expect(outcome.child("issue")?.string("code") == code) }
        let text = String(decoding: response.body.readableBytesView, as: UTF8.self).lowercased()
        for word in Self.databaseWords { #expect(!text.contains(word), "'\(word)' in \(text)") }
    }

    @Test(arguments: WireFormat.allCases)
    func aBusinessIdentifierHeldByAnotherOfTheSendersResourcesIs409InTheDomainsWords(
        format: WireFormat
    )
        async throws
    {
        try await GatewayFixture.withGateway { client in
            let headers = GatewayFixture.headers(format)
            for id in ["sr-1", "sr-2"] {
                let response = try await client.execute(
                    uri: "/fhir/ServiceRequest/\(id)",
                    method: .put,
                    headers: headers,
                    body: GatewayFixture.serviceRequest(format, id: id, identifier: id == "sr-1" ? "ORD-1" : nil)
                )
                #expect(response.status == .created)
            }
            // sr-2 now claims ORD-1, which sr-1 carries.
            let response = try await client.execute(
                uri: "/fhir/ServiceRequest/sr-2",
                method: .put,
                headers: headers,
                body: GatewayFixture.serviceRequest(format, id: "sr-2", identifier: "ORD-1")
            )
            try Self.expectOutcome(response, .conflict, format, code: "duplicate")
            let outcome = try GatewayFixture.resource(response, format)
            #expect(
                outcome.child("issue")?.string("diagnostics")?.contains("already names another ServiceRequest") == true
            )
        }
    }

    @Test(arguments: WireFormat.allCases)
    func malformedBodyIs400(format: WireFormat) async throws {
        try await GatewayFixture.withGateway { client in
            let body = ByteBuffer(
                string: format == .json ? #"{"resourceType":"Patient","# : "<Patient xmlns=\"http://hl7.org/fhir\">"
            )
            let response = try await client.execute(
                uri: "/fhir/Patient",
                method: .post,
                headers: GatewayFixture.headers(format),
                body: body
            )
            try Self.expectOutcome(response, .badRequest, format)
        }
    }

    @Test(arguments: WireFormat.allCases)
    func invalidResourceIs422(format: WireFormat) async throws {
        try await GatewayFixture.withGateway { client in
            let body = ByteBuffer(
                string: format == .json
                    ? #"{"resourceType":"ServiceRequest","status":"nonsense","intent":"order","subject":{"reference":"Patient/p1"}}"#
                    : #"<ServiceRequest xmlns="http://hl7.org/fhir"><status value="nonsense"/><intent value="order"/><subject><reference value="Patient/p1"/></subject></ServiceRequest>"#
            )
            let response = try await client.execute(
                uri: "/fhir/ServiceRequest",
                method: .post,
                headers: GatewayFixture.headers(format),
                body: body
            )
            try Self.expectOutcome(response, .unprocessableContent, format)
        }
    }

    @Test(arguments: WireFormat.allCases)
    func wrongContentTypeIs415(format: WireFormat) async throws {
        try await GatewayFixture.withGateway { client in
            var headers = GatewayFixture.headers(format)
            headers[.contentType] = "text/plain"
            let response = try await client.execute(
                uri: "/fhir/Patient",
                method: .post,
                headers: headers,
                body: GatewayFixture.patient(format)
            )
            try Self.expectOutcome(response, .unsupportedMediaType, format)
        }
    }

    @Test(arguments: WireFormat.allCases)
    func oversizedBodyIs413(format: WireFormat) async throws {
        try await GatewayFixture.withGateway(maximumBodyBytes: 100) { client in
            let response = try await client.execute(
                uri: "/fhir/Patient",
                method: .post,
                headers: GatewayFixture.headers(format),
                body: GatewayFixture.patient(format)
            )
            try Self.expectOutcome(response, .contentTooLarge, format, code: "too-costly")
        }
    }

    @Test(arguments: WireFormat.allCases)
    func unknownTypeIs404(format: WireFormat) async throws {
        try await GatewayFixture.withGateway { client in
            let response = try await client.execute(
                uri: "/fhir/Spaceship",
                method: .post,
                headers: GatewayFixture.headers(format),
                body: GatewayFixture.patient(format)
            )
            try Self.expectOutcome(response, .notFound, format)
        }
    }

    @Test(arguments: WireFormat.allCases)
    func bodyTypeOtherThanURLTypeIs400(format: WireFormat) async throws {
        try await GatewayFixture.withGateway { client in
            let response = try await client.execute(
                uri: "/fhir/Observation",
                method: .post,
                headers: GatewayFixture.headers(format),
                body: GatewayFixture.patient(format)
            )
            try Self.expectOutcome(response, .badRequest, format)
        }
    }

    @Test(arguments: WireFormat.allCases)
    func idMismatchOnPutIs400(format: WireFormat) async throws {
        try await GatewayFixture.withGateway { client in
            let response = try await client.execute(
                uri: "/fhir/Patient/p1",
                method: .put,
                headers: GatewayFixture.headers(format),
                body: GatewayFixture.patient(format, id: "p2")
            )
            try Self.expectOutcome(response, .badRequest, format)
            let missing = try await client.execute(
                uri: "/fhir/Patient/p1",
                method: .put,
                headers: GatewayFixture.headers(format),
                body: GatewayFixture.patient(format)
            )
            try Self.expectOutcome(missing, .badRequest, format)
        }
    }

    @Test(arguments: WireFormat.allCases)
    func versionConflictIs412(format: WireFormat) async throws {
        try await GatewayFixture.withGateway { client in
            try await client.execute(
                uri: "/fhir/Patient/p1",
                method: .put,
                headers: GatewayFixture.headers(format),
                body: GatewayFixture.patient(format, id: "p1")
            ) { _ in }
            let headers = GatewayFixture.headers(format, extra: [.ifMatch: #"W/"5""#])
            let response = try await client.execute(
                uri: "/fhir/Patient/p1",
                method: .put,
                headers: headers,
                body: GatewayFixture.patient(format, id: "p1", gender: "male")
            )
            try Self.expectOutcome(response, .preconditionFailed, format, code: "conflict")
            let matching = GatewayFixture.headers(format, extra: [.ifMatch: #"W/"1""#])
            let accepted = try await client.execute(
                uri: "/fhir/Patient/p1",
                method: .put,
                headers: matching,
                body: GatewayFixture.patient(format, id: "p1", gender: "male")
            )
            #expect(accepted.status == .ok)
        }
    }

    @Test(arguments: WireFormat.allCases)
    func missingOrWrongTokenIs401(format: WireFormat) async throws {
        try await GatewayFixture.withGateway { client in
            let missing = try await client.execute(
                uri: "/fhir/Patient",
                method: .post,
                headers: GatewayFixture.headers(format, token: nil),
                body: GatewayFixture.patient(format)
            )
            try Self.expectOutcome(missing, .unauthorized, format, code: "login")
            #expect(missing.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            let wrong = try await client.execute(
                uri: "/fhir/Patient/p1",
                method: .get,
                headers: GatewayFixture.headers(format, token: "guess")
            )
            try Self.expectOutcome(wrong, .unauthorized, format, code: "login")
        }
    }

    @Test(arguments: WireFormat.allCases)
    func typeNotAllowedForSenderIs403(format: WireFormat) async throws {
        try await GatewayFixture.withGateway { client in
            let headers = GatewayFixture.headers(format, token: GatewayFixture.limitedToken)
            let response = try await client.execute(
                uri: "/fhir/Patient",
                method: .post,
                headers: headers,
                body: GatewayFixture.patient(format)
            )
            try Self.expectOutcome(response, .forbidden, format, code: "forbidden")
        }
    }

    @Test(arguments: WireFormat.allCases)
    func unknownResourceAndVersionAre404(format: WireFormat) async throws {
        try await GatewayFixture.withGateway { client in
            try Self.expectOutcome(
                try await client.execute(
                    uri: "/fhir/Patient/nope",
                    method: .get,
                    headers: GatewayFixture.headers(format)
                ),
                .notFound,
                format
            )
            try Self.expectOutcome(
                try await client.execute(
                    uri: "/fhir/Patient/nope/_history/1",
                    method: .get,
                    headers: GatewayFixture.headers(format)
                ),
                .notFound,
                format
            )
            try Self.expectOutcome(
                try await client.execute(
                    uri: "/fhir/Patient/nope/_history",
                    method: .get,
                    headers: GatewayFixture.headers(format)
                ),
                .notFound,
                format
            )
            try Self.expectOutcome(
                try await client.execute(uri: "/nowhere", method: .get, headers: GatewayFixture.headers(format)),
                .notFound,
                format
            )
        }
    }

    @Test(arguments: WireFormat.allCases)
    func unsupportedInteractionIs405(format: WireFormat) async throws {
        try await GatewayFixture.withGateway { client in
            let response = try await client.execute(
                uri: "/fhir/Patient/p1",
                method: .patch,
                headers: GatewayFixture.headers(format)
            )
            try Self.expectOutcome(response, .methodNotAllowed, format)
        }
    }
}
