import CoManagement
import Foundation
import Testing

@testable import Store

/// The referrals no service line matched, as the store keeps them: listed with their codes and sender,
/// normalised again when the mappings change, and the mappings version every replica must run.
@Suite struct UnmatchedReferralStoreTests {
    static let localSystem = "http://hospital.example.org/fhir/CodeSystem/procedures"
    static let servicesFile = "value-sets/ophthalmology.cataract.services.json"

    /// The shipped mappings with the hospital's local cataract procedure code in the cataract services.
    static func withLocalCode() throws -> Normaliser {
        try SampleMessages.normaliser { files in
            let bytes = try #require(files[Self.servicesFile])
            var valueSet = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
            var compose = try #require(valueSet["compose"] as? [String: Any])
            var include = compose["include"] as? [[String: Any]] ?? []
            include.append(["system": Self.localSystem, "concept": [["code": "PHACO-IOL"]]])
            compose["include"] = include
            valueSet["compose"] = compose
            files[Self.servicesFile] = Array(try JSONSerialization.data(withJSONObject: valueSet))
        }
    }

    /// Patient `patient` and a referral coded with the local code.
    static func localReferral(patient: String) -> IngestMessage {
        PartitionMessages.message([
            PartitionMessages.write(
                #"{"resourceType":"Patient","id":"\#(patient)","identifier":[{"system":"\#(PartitionMessages.mrn)","value":"MRN-\#(patient)"}]}"#
            ),
            PartitionMessages.write(
                #"""
                {"resourceType":"ServiceRequest","id":"sr-\#(patient)","status":"active","intent":"order",
                 "code":{"coding":[{"system":"\#(Self.localSystem)","code":"PHACO-IOL"}]},
                 "subject":{"reference":"Patient/\#(patient)"},"authoredOn":"2026-03-01"}
                """#
            ),
        ])
    }

    @Test(arguments: Backend.allCases)
    func aMappingChangeBringsTheListedReferralsIntoEpisodes(backend: Backend) async throws {
        let shipped = try SampleMessages.normaliser()
        try await withRunningStore(backend, normaliser: shipped) { store in
            #expect(try await store.useMappings(shipped, version: "v1"))
            #expect(try await !store.useMappings(shipped, version: "v1"))
            for patient in ["p1", "p2", "p3"] {
                let result = try await store.ingest(Self.localReferral(patient: patient))
                #expect(result.unmatchedReferrals.count == 1)
            }
            let listed = try await store.unmatchedReferrals(limit: 10)
            #expect(listed.count == 3)
            #expect(listed.allSatisfy { $0.mappingsVersion == "v1" && $0.referral.path == "ServiceRequest.code" })
            #expect(listed.first?.referral.codes.map(\.code) == ["PHACO-IOL"])
            #expect(try await store.renormaliseUnmatched(limit: 10) == 0)
            #expect(try await store.episodes(EpisodeQuery()).isEmpty)

            #expect(try await store.useMappings(try Self.withLocalCode(), version: "v2"))
            #expect(try await store.renormaliseUnmatched(limit: 2) == 2)
            #expect(try await store.renormaliseUnmatched(limit: 2) == 1)
            #expect(try await store.renormaliseUnmatched(limit: 2) == 0)
            let episodes = try await store.episodes(EpisodeQuery())
            #expect(episodes.map(\.serviceLine) == Array(repeating: "ophthalmology.cataract", count: 3))
            #expect(try await store.unmatchedReferrals(limit: 10).isEmpty)
            // Going back does not unmake them.
            #expect(try await store.useMappings(shipped, version: "v1"))
            _ = try await store.ingest(Self.localReferral(patient: "p1"))
            #expect(try await store.episodes(EpisodeQuery()).count == 3)
        }
    }

    /// Referrals left by two other versions, on either side of the current one in the index's order, are
    /// each tried again once, batch after batch; on SQLite without stepping through the table.
    @Test(arguments: Backend.allCases)
    func referralsLeftByEveryOtherVersionAreTriedAgainOnce(backend: Backend) async throws {
        let shipped = try SampleMessages.normaliser()
        try await withRunningStore(backend, normaliser: shipped) { store in
            #expect(try await store.useMappings(shipped, version: "b"))
            for patient in ["p1", "p2", "p3"] { _ = try await store.ingest(Self.localReferral(patient: patient)) }
            #expect(try await store.useMappings(shipped, version: "c"))
            for patient in ["p4", "p5"] { _ = try await store.ingest(Self.localReferral(patient: patient)) }
            #expect(try await store.useMappings(shipped, version: "a"))
            var done: [Int] = []
            for _ in 0..<5 { done.append(try await store.renormaliseUnmatched(limit: 2)) }
            #expect(done.reduce(0, +) == 5 && done.last == 0, "\(done)")
            let listed = try await store.unmatchedReferrals(limit: 10)
            #expect(listed.count == 5 && listed.allSatisfy { $0.mappingsVersion == "a" })
            if let sqlite = store as? SQLiteStore {
                let scans = try await sqlite.write { (connection: inout SQLiteConnection) throws(StoreError) in
                    connection.fullScanSteps().filter {
                        $0.key.contains("mappings_version <") || $0.key.contains("WHERE partition_id IN")
                    }
                }
                #expect(scans.allSatisfy { $0.value <= 3 }, "statements that stepped through the referrals: \(scans)")
            }
        }
    }

    @Test func aReplicaRunningOtherMappingsIsUnavailable() async throws {
        let shipped = try SampleMessages.normaliser()
        try await withTestDatabase(.postgres) { database in
            try await withRunningStore(on: database, normaliser: shipped) { first in
                try await withRunningStore(on: database, normaliser: shipped) { second in
                    _ = try await first.useMappings(shipped, version: "v1")
                    _ = try await second.useMappings(shipped, version: "v1")
                    try await first.ping()
                    _ = try await second.useMappings(try Self.withLocalCode(), version: "v2")
                    let refused = await #expect(throws: StoreError.self) { try await first.ping() }
                    #expect(refused?.code == .unavailable)
                    #expect(refused?.publicMessage == nil)
                    try await second.ping()
                    _ = try await first.useMappings(try Self.withLocalCode(), version: "v2")
                    try await first.ping()
                }
            }
        }
    }
}
