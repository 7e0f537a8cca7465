import FHIRCore
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import Server

@Suite struct ResourceInteractionTests {
    @Test(arguments: WireFormat.allCases)
    func createAnswers201WithLocationETagAndTheStoredResource(format: WireFormat) async throws {
        try await GatewayFixture.withGateway { client in
            try await client.execute(
                uri: "/fhir/Patient",
                method: .post,
                headers: GatewayFixture.headers(format),
                body: GatewayFixture.patient(format)
            ) { response in
                #expect(response.status == .created)
                #expect(response.headers[.eTag] == #"W/"1""#)
                #expect(response.headers[.lastModified]?.hasSuffix("GMT") == true)
                let location = try #require(response.headers[.location])
                #expect(location.contains("/fhir/Patient/") && location.hasSuffix("/_history/1"))
                #expect(response.headers[.contentType]?.hasPrefix(format.mediaType) == true)
                let patient = try GatewayFixture.resource(response, format)
                #expect(patient.type == "Patient")
                #expect(patient.resourceID != nil)
                #expect(patient.child("meta")?.string("versionId") == "1")
                #expect(patient.string("gender") == "female")
            }
        }
    }

    @Test(arguments: WireFormat.allCases)
    func updateReadVersionReadAndHistory(format: WireFormat) async throws {
        try await GatewayFixture.withGateway { client in
            let headers = GatewayFixture.headers(format)
            try await client.execute(
                uri: "/fhir/Patient/p1",
                method: .put,
                headers: headers,
                body: GatewayFixture.patient(format, id: "p1")
            ) { response in
                #expect(response.status == .created)
            }
            try await client.execute(
                uri: "/fhir/Patient/p1",
                method: .put,
                headers: headers,
                body: GatewayFixture.patient(format, id: "p1", gender: "male")
            ) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.eTag] == #"W/"2""#)
            }
            try await client.execute(uri: "/fhir/Patient/p1", method: .get, headers: headers) { response in
                #expect(response.status == .ok)
                let patient = try GatewayFixture.resource(response, format)
                #expect(patient.resourceID == "p1")
                #expect(patient.string("gender") == "male")
                #expect(patient.child("meta")?.string("versionId") == "2")
            }
            try await client.execute(uri: "/fhir/Patient/p1/_history/1", method: .get, headers: headers) { response in
                #expect(response.status == .ok)
                let resource = try GatewayFixture.resource(response, format)
                #expect(resource.string("gender") == "female")
            }
            try await client.execute(uri: "/fhir/Patient/p1/_history", method: .get, headers: headers) { response in
                #expect(response.status == .ok)
                let bundle = try GatewayFixture.resource(response, format)
                #expect(bundle.string("type") == "history")
                #expect(bundle.string("total") == "2")
                #expect(bundle.children(named: "entry").count == 2)
            }
        }
    }

    @Test(arguments: WireFormat.allCases)
    func samePutTwiceMakesNoNewVersion(format: WireFormat) async throws {
        try await GatewayFixture.withGateway { client in
            for _ in 0..<2 {
                try await client.execute(
                    uri: "/fhir/Patient/p1",
                    method: .put,
                    headers: GatewayFixture.headers(format),
                    body: GatewayFixture.patient(format, id: "p1")
                ) { _ in }
            }
            try await client.execute(uri: "/fhir/Patient/p1", method: .get, headers: GatewayFixture.headers(format)) {
                response in
                #expect(response.headers[.eTag] == #"W/"1""#)
            }
        }
    }

    @Test(arguments: WireFormat.allCases)
    func serviceRequestPostedAgainIsTheSameResource(format: WireFormat) async throws {
        try await GatewayFixture.withGateway { client in
            let headers = GatewayFixture.headers(format)
            let first = try await client.execute(
                uri: "/fhir/ServiceRequest",
                method: .post,
                headers: headers,
                body: GatewayFixture.serviceRequest(format)
            )
            #expect(first.status == .created)
            let again = try await client.execute(
                uri: "/fhir/ServiceRequest",
                method: .post,
                headers: headers,
                body: GatewayFixture.serviceRequest(format)
            )
            #expect(again.status == .ok)
            #expect(again.headers[.location] == first.headers[.location])
            let changed = try await client.execute(
                uri: "/fhir/ServiceRequest",
                method: .post,
                headers: headers,
                body: GatewayFixture.serviceRequest(format, status: "completed")
            )
            #expect(changed.status == .ok)
            #expect(changed.headers[.eTag] == #"W/"2""#)
        }
    }

    @Test(arguments: WireFormat.allCases)
    func conditionalCreateReturnsTheExistingMatch(format: WireFormat) async throws {
        try await GatewayFixture.withGateway { client in
            var headers = GatewayFixture.headers(format)
            try await client.execute(
                uri: "/fhir/Patient/p1",
                method: .put,
                headers: headers,
                body: GatewayFixture.patient(format, id: "p1")
            ) { _ in }
            headers[.init("If-None-Exist")!] = "identifier=http://hospital.example/mrn|123"
            try await client.execute(
                uri: "/fhir/Patient",
                method: .post,
                headers: headers,
                body: GatewayFixture.patient(format, gender: "male")
            ) { response in
                #expect(response.status == .ok)
                let resource = try GatewayFixture.resource(response, format)
                // The match, by the gateway's id for the sender's Patient/p1.
                #expect(
                    resource.resourceID == ServerAssignedID.derived(sender: "st-marys", type: "Patient", senderID: "p1")
                )
            }
        }
    }

    @Test(arguments: WireFormat.allCases)
    func preferControlsTheBody(format: WireFormat) async throws {
        try await GatewayFixture.withGateway { client in
            var headers = GatewayFixture.headers(format)
            headers[.init("Prefer")!] = "return=minimal"
            try await client.execute(
                uri: "/fhir/Patient",
                method: .post,
                headers: headers,
                body: GatewayFixture.patient(format)
            ) { response in
                #expect(response.status == .created)
                #expect(response.body.readableBytes == 0)
                #expect(response.headers[.location] != nil)
            }
            headers[.init("Prefer")!] = "return=OperationOutcome"
            try await client.execute(
                uri: "/fhir/Patient",
                method: .post,
                headers: headers,
                body: GatewayFixture.patient(format, gender: "male")
            ) { response in
                let resource = try GatewayFixture.resource(response, format)
                #expect(resource.type == "OperationOutcome")
            }
        }
    }

    @Test(arguments: WireFormat.allCases)
    func formatParameterOverridesAccept(format: WireFormat) async throws {
        try await GatewayFixture.withGateway { client in
            let other: WireFormat = format == .json ? .xml : .json
            try await client.execute(
                uri: "/fhir/Patient?_format=\(other.rawValue)",
                method: .post,
                headers: GatewayFixture.headers(format),
                body: GatewayFixture.patient(format)
            ) { response in
                #expect(response.status == .created)
                #expect(response.headers[.contentType]?.hasPrefix(other.mediaType) == true)
                let resource = try GatewayFixture.resource(response, other)
                #expect(resource.type == "Patient")
            }
        }
    }
}
