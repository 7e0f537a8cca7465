import FHIRCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite struct BundleTests {
    @Test(arguments: WireFormat.allCases)
    func transactionRewritesUUIDReferencesAndAnswersPerEntry(format: WireFormat) async throws {
        try await GatewayFixture.withGateway { client in
            let headers = GatewayFixture.headers(format)
            let response = try await client.execute(
                uri: "/fhir",
                method: .post,
                headers: headers,
                body: try BundleFixtures.body(BundleFixtures.transaction, format)
            )
            #expect(response.status == .ok)
            let bundle = try GatewayFixture.resource(response, format)
            #expect(bundle.string("type") == "transaction-response")
            #expect(!Validator.validate(bundle).hasErrors)
            let entries = bundle.children(named: "entry")
            try #require(entries.count == 2)
            for entry in entries {
                let answer = try #require(entry.child("response"))
                #expect(answer.string("status") == "201 Created")
                #expect(answer.string("etag") == #"W/"1""#)
                #expect(answer.string("lastModified") != nil)
                #expect(answer.string("location")?.hasSuffix("/_history/1") == true)
            }
            let patientID = try #require(entries[0].child("resource")?.resourceID)
            let requestLocation = try #require(entries[1].child("response")?.string("location"))
            let requestPath = "/fhir/" + requestLocation.split(separator: "/").prefix(2).joined(separator: "/")
            try await client.execute(uri: requestPath, method: .get, headers: headers) { read in
                let request = try GatewayFixture.resource(read, format)
                #expect(request.child("subject")?.string("reference") == "Patient/\(patientID)")
            }
        }
    }

    @Test func transactionPostedAgainMatchesTheSameResources() async throws {
        try await GatewayFixture.withGateway { client in
            let headers = GatewayFixture.headers(.json)
            var locations: [[String]] = []
            var statuses: [[String]] = []
            for _ in 0..<2 {
                let response = try await client.execute(
                    uri: "/fhir",
                    method: .post,
                    headers: headers,
                    body: ByteBuffer(string: BundleFixtures.transaction)
                )
                let entries = try GatewayFixture.resource(response, .json).children(named: "entry")
                locations.append(entries.compactMap { $0.child("response")?.string("location") })
                statuses.append(entries.compactMap { $0.child("response")?.string("status") })
            }
            // The Patient matches If-None-Exist, the ServiceRequest its business identifier: same ids,
            // and the ServiceRequest, whose subject was rewritten to the same Patient, is unchanged.
            #expect(locations[0] == locations[1])
            #expect(statuses[1] == ["200 OK", "200 OK"])
        }
    }

    @Test(arguments: WireFormat.allCases)
    func failingTransactionEntryStoresNothing(format: WireFormat) async throws {
        try await GatewayFixture.withGateway { client in
            let headers = GatewayFixture.headers(format)
            let response = try await client.execute(
                uri: "/fhir",
                method: .post,
                headers: headers,
                body: try BundleFixtures.body(BundleFixtures.failingTransaction, format)
            )
            #expect(response.status == .preconditionFailed)
            #expect(try GatewayFixture.resource(response, format).type == "OperationOutcome")
            try await client.execute(uri: "/fhir/Patient/t1", method: .get, headers: headers) { read in
                #expect(read.status == .notFound)
            }
        }
    }

    @Test(arguments: WireFormat.allCases)
    func batchEntriesSucceedOrFailOnTheirOwn(format: WireFormat) async throws {
        try await GatewayFixture.withGateway { client in
            let headers = GatewayFixture.headers(format)
            let response = try await client.execute(
                uri: "/fhir",
                method: .post,
                headers: headers,
                body: try BundleFixtures.body(BundleFixtures.batch, format)
            )
            #expect(response.status == .ok)
            let bundle = try GatewayFixture.resource(response, format)
            #expect(bundle.string("type") == "batch-response")
            #expect(!Validator.validate(bundle).hasErrors)
            let answers = bundle.children(named: "entry").compactMap { $0.child("response") }
            #expect(
                answers.map { $0.string("status") } == [
                    "201 Created", "412 Precondition Failed", "405 Method Not Allowed",
                ]
            )
            #expect(answers[1].child("outcome")?.type == "OperationOutcome")
            try await client.execute(uri: "/fhir/Patient/b1", method: .get, headers: headers) { read in
                #expect(read.status == .ok)
            }
        }
    }

    @Test(arguments: WireFormat.allCases)
    func messageStoresTheFocusAndWhatItReferences(format: WireFormat) async throws {
        try await GatewayFixture.withGateway { client in
            let headers = GatewayFixture.headers(format)
            let response = try await client.execute(
                uri: "/fhir",
                method: .post,
                headers: headers,
                body: try BundleFixtures.body(BundleFixtures.message, format)
            )
            #expect(response.status == .ok)
            let bundle = try GatewayFixture.resource(response, format)
            #expect(bundle.string("type") == "message")
            #expect(!Validator.validate(bundle).hasErrors)
            let header = try #require(bundle.child("entry")?.child("resource"))
            #expect(header.type == "MessageHeader")
            #expect(header.child("response")?.string("identifier") == "mh-1")
            #expect(header.child("response")?.string("code") == "ok")
            let focus = try #require(header.child("focus")?.string("reference"))
            try await client.execute(uri: "/fhir/" + focus, method: .get, headers: headers) { read in
                #expect(read.status == .ok)
                let request = try GatewayFixture.resource(read, format)
                let subject = try #require(request.child("subject")?.string("reference"))
                #expect(subject.hasPrefix("Patient/"))
                try await client.execute(uri: "/fhir/" + subject, method: .get, headers: headers) { patient in
                    #expect(patient.status == .ok)
                }
            }
        }
    }

    @Test func entryOfATypeTheSenderMayNotWriteFailsTheTransaction() async throws {
        try await GatewayFixture.withGateway { client in
            let headers = GatewayFixture.headers(.json, token: GatewayFixture.limitedToken)
            let response = try await client.execute(
                uri: "/fhir",
                method: .post,
                headers: headers,
                body: ByteBuffer(string: BundleFixtures.transaction)
            )
            #expect(response.status == .forbidden)
        }
    }

    @Test func unresolvedUUIDReferenceIsRefused() async throws {
        try await GatewayFixture.withGateway { client in
            let bundle = BundleFixtures.transaction.replacingOccurrences(
                of: "\"fullUrl\":\"\(BundleFixtures.patientURL)\",",
                with: ""
            )
            let response = try await client.execute(
                uri: "/fhir",
                method: .post,
                headers: GatewayFixture.headers(.json),
                body: ByteBuffer(string: bundle)
            )
            #expect(response.status == .badRequest)
        }
    }

    @Test func collectionBundleIsRefused() async throws {
        try await GatewayFixture.withGateway { client in
            let bundle = #"{"resourceType":"Bundle","type":"collection"}"#
            let response = try await client.execute(
                uri: "/fhir",
                method: .post,
                headers: GatewayFixture.headers(.json),
                body: ByteBuffer(string: bundle)
            )
            #expect(response.status == .badRequest)
        }
    }

    /// Every Bundle among the Samples is accepted, twice; what is conditional or identified keeps its id.
    @Test func sampleTransactionsAreAcceptedAndIdempotent() async throws {
        let samples = try BundleFixtures.samples { $0.type == "Bundle" }
        #expect(samples.count >= 5)
        try await GatewayFixture.withGateway { client in
            for sample in samples {
                var locations: [[String]] = []
                for _ in 0..<2 {
                    let response = try await client.execute(
                        uri: "/fhir",
                        method: .post,
                        headers: GatewayFixture.headers(.json),
                        body: ByteBuffer(bytes: sample.bytes)
                    )
                    #expect(response.status == .ok, "\(sample.name): \(String(buffer: response.body))")
                    let entries = try GatewayFixture.resource(response, .json).children(named: "entry")
                    locations.append(
                        entries.compactMap {
                            $0.child("response")?.string("location")?.split(separator: "/").prefix(2).joined(
                                separator: "/"
                            )
                        }
                    )
                }
                // Conditional creates and business identifiers keep their ids; plain POSTs (the
                // Organizations, Practitioners…) are new resources each time, as FHIR says.
                #expect(locations[0].first == locations[1].first, "\(sample.name)")
                #expect(locations[0].last == locations[1].last, "\(sample.name)")
            }
        }
    }
}
