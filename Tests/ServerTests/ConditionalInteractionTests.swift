import FHIRCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Conditional update by identifier, conditional read, delete and `$process-message`.
@Suite struct ConditionalInteractionTests {
    typealias F = GatewayFixture
    typealias S = SearchTests

    @Test func conditionalUpdateCreatesThenUpdatesAndRefusesTwoMatches() async throws {
        try await F.withGateway { client in
            let uri = "/fhir/Patient?identifier=urn:mrn|C-1"
            let body = { (gender: String) in
                ByteBuffer(
                    string:
                        #"{"resourceType":"Patient","identifier":[{"system":"urn:mrn","value":"C-1"}],"gender":"\#(gender)"}"#
                )
            }
            let created = try await client.execute(
                uri: uri,
                method: .put,
                headers: F.headers(.json),
                body: body("male")
            )
            #expect(created.status == .created)
            let updated = try await client.execute(
                uri: uri,
                method: .put,
                headers: F.headers(.json),
                body: body("female")
            )
            #expect(updated.status == .ok)
            #expect(updated.headers[.eTag] == #"W/"2""#)
            #expect(
                created.headers[.location]?.split(separator: "/").dropLast(2)
                    == updated.headers[.location]?.split(separator: "/").dropLast(2)
            )
            // A second resource with the identifier makes the condition ambiguous.
            try await S.put(
                client,
                "Patient",
                "twin",
                #"{"resourceType":"Patient","id":"twin","identifier":[{"system":"urn:mrn","value":"C-1"}]}"#
            )
            let ambiguous = try await client.execute(
                uri: uri,
                method: .put,
                headers: F.headers(.json),
                body: body("other")
            )
            #expect(ambiguous.status == .preconditionFailed)
            let other = try await client.execute(
                uri: "/fhir/Patient?name=x",
                method: .put,
                headers: F.headers(.json),
                body: body("male")
            )
            #expect(other.status == .badRequest)
        }
    }

    @Test func conditionalReadAnswers304WhenTheCopyIsCurrent() async throws {
        try await F.withGateway { client in
            try await S.put(client, "Patient", "p1", #"{"resourceType":"Patient","id":"p1","gender":"male"}"#)
            func read(_ name: String, _ value: String) async throws -> TestResponse {
                try await client.execute(
                    uri: "/fhir/Patient/p1",
                    method: .get,
                    headers: F.headers(.json, extra: [HTTPField.Name(name)!: value])
                )
            }
            let current = try await read("If-None-Match", #"W/"1""#)
            #expect(current.status == .notModified)
            #expect(current.body.readableBytes == 0)
            #expect(current.headers[.eTag] == #"W/"1""#)
            #expect(try await read("If-None-Match", #"W/"7""#).status == .ok)
            #expect(try await read("If-None-Match", "*").status == .notModified)
            #expect(try await read("If-Modified-Since", "Fri, 01 Jan 2100 00:00:00 GMT").status == .notModified)
            #expect(try await read("If-Modified-Since", "Sat, 01 Jan 2000 00:00:00 GMT").status == .ok)
        }
    }

    @Test func deleteOfTheSendersOwnResourceLeavesAVersionAnd410() async throws {
        try await F.withGateway { client in
            try await S.seed(client)
            let before = try await S.search(client, "ServiceRequest?identifier=SR-1").bundle
            let id = try #require(S.ids(before).first)
            // Another sender may not know of it: 404, as for an id nobody uses.
            let foreign = try await client.execute(
                uri: "/fhir/ServiceRequest/\(id)",
                method: .delete,
                headers: F.headers(.json, token: F.lakesideToken)
            )
            #expect(foreign.status == .notFound)
            let deleted = try await client.execute(
                uri: "/fhir/ServiceRequest/\(id)",
                method: .delete,
                headers: F.headers(.json)
            )
            #expect(deleted.status == .ok)
            #expect(deleted.headers[.eTag] == #"W/"2""#)
            let read = try await client.execute(
                uri: "/fhir/ServiceRequest/\(id)",
                method: .get,
                headers: F.headers(.json)
            )
            #expect(read.status == .gone)
            #expect(try F.resource(read, .json).child("issue")?.string("code") == "deleted")
            let again = try await client.execute(
                uri: "/fhir/ServiceRequest/\(id)",
                method: .delete,
                headers: F.headers(.json)
            )
            #expect(again.status == .ok)
            let history = try F.resource(
                try await client.execute(
                    uri: "/fhir/ServiceRequest/\(id)/_history",
                    method: .get,
                    headers: F.headers(.json)
                ),
                .json
            )
            #expect(
                history.children(named: "entry").compactMap { $0.child("request")?.string("method") } == [
                    "DELETE", "POST",
                ]
            )
            #expect(history.children(named: "entry").first?.child("resource") == nil)
            #expect(Validator.validate(history).hasErrors == false)
            #expect(try await S.search(client, "ServiceRequest?identifier=SR-1").bundle.string("total") == "0")
            #expect(try await S.search(client, "ServiceRequest").bundle.string("total") == "3")
            let vread = try await client.execute(
                uri: "/fhir/ServiceRequest/\(id)/_history/2",
                method: .get,
                headers: F.headers(.json)
            )
            #expect(vread.status == .gone)
            // The audit trail says who deleted what.
            let audit = try await S.search(client, "AuditEvent?entity=ServiceRequest/\(id)", token: F.operatorToken)
                .bundle
            #expect(audit.children(named: "entry").contains { $0.child("resource")?.string("action") == "D" })
        }
    }

    @Test func processMessageTakesAMessageBundle() async throws {
        try await F.withGateway { client in
            let message = #"""
                {"resourceType":"Bundle","type":"message","entry":[
                 {"fullUrl":"urn:uuid:1","resource":{"resourceType":"MessageHeader","id":"h1","eventCoding":{"system":"urn:x","code":"referral"},"source":{"endpoint":"urn:sender"},"focus":[{"reference":"urn:uuid:2"}]}},
                 {"fullUrl":"urn:uuid:2","resource":{"resourceType":"Patient","identifier":[{"system":"urn:mrn","value":"MSG-1"}]}}]}
                """#
            let response = try await client.execute(
                uri: "/fhir/$process-message",
                method: .post,
                headers: F.headers(.json),
                body: ByteBuffer(string: message)
            )
            #expect(response.status == .ok, "\(String(buffer: response.body))")
            let answer = try F.resource(response, .json)
            #expect(answer.string("type") == "message")
            #expect(try await S.search(client, "Patient?identifier=urn:mrn|MSG-1").bundle.string("total") == "1")
            let notMessage = try await client.execute(
                uri: "/fhir/$process-message",
                method: .post,
                headers: F.headers(.json),
                body: ByteBuffer(string: #"{"resourceType":"Bundle","type":"batch"}"#)
            )
            #expect(notMessage.status == .badRequest)
        }
    }

    @Test func theAuditTrailIsNeitherWrittenNorReadByID() async throws {
        try await F.withGateway { client in
            let write = try await client.execute(
                uri: "/fhir/AuditEvent",
                method: .post,
                headers: F.headers(.json),
                body: ByteBuffer(string: #"{"resourceType":"AuditEvent"}"#)
            )
            #expect(write.status == .methodNotAllowed)
            let read = try await client.execute(
                uri: "/fhir/AuditEvent/audit-1",
                method: .get,
                headers: F.headers(.json)
            )
            #expect(read.status == .methodNotAllowed)
        }
    }
}
