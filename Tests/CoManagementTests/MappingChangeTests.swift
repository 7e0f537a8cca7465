import CoManagement
import FHIRCore
import Foundation
import Testing

/// What a change of mappings does to referrals already held: a new trigger brings the referrals the old
/// mappings missed into episodes; a removed trigger does not unmake the episodes it opened.
@Suite struct MappingChangeTests {
    static let localSystem = "http://hospital.example.org/fhir/CodeSystem/procedures"
    static let servicesPath = "value-sets/ophthalmology.cataract.services.json"

    let shipped: Normaliser

    init() throws {
        self.shipped = Normaliser(mappings: try MappingFixtures.shipped())
    }

    /// The shipped mappings with the cataract services value set changed by `edit` (on its `compose`).
    static func mappings(editingCataractServices edit: (inout [String: Any]) -> Void) throws -> Normaliser {
        let text = try MappingFixtures.text(of: self.servicesPath)
        var valueSet = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        var compose = try #require(valueSet["compose"] as? [String: Any])
        edit(&compose)
        valueSet["compose"] = compose
        let edited = try JSONSerialization.data(withJSONObject: valueSet, options: [.prettyPrinted, .sortedKeys])
        let files = try MappingFixtures.replacing(self.servicesPath, with: String(decoding: edited, as: UTF8.self))
        return Normaliser(mappings: try MappingSet.load(files: files))
    }

    /// The shipped mappings with the hospital's local cataract procedure code added.
    static func withLocalCode() throws -> Normaliser {
        try self.mappings { compose in
            var include = compose["include"] as? [[String: Any]] ?? []
            include.append(["system": Self.localSystem, "concept": [["code": "PHACO-IOL"]]])
            compose["include"] = include
        }
    }

    /// The shipped mappings without CPT 66984.
    static func without66984() throws -> Normaliser {
        try self.mappings { compose in
            var exclude = compose["exclude"] as? [[String: Any]] ?? []
            exclude.append(["system": "http://www.ama-assn.org/go/cpt", "concept": [["code": "66984"]]])
            compose["exclude"] = exclude
        }
    }

    @Test func aNewTriggerBringsTheMissedReferralIntoAnEpisode() throws {
        var book = EpisodeBook()
        _ = self.shipped.ingest(CataractScenario.patient, sender: nil, into: &book)
        let referral = TriggerOpeningTests.referral(
            id: "r1",
            system: Self.localSystem,
            code: "PHACO-IOL",
            authoredOn: "2026-03-01"
        )
        let missed = self.shipped.ingest(referral, sender: nil, into: &book)
        #expect(book.sortedEpisodes.isEmpty)
        #expect(missed.unmatchedReferrals.map(\.key) == ["ServiceRequest/r1"])
        #expect(missed.issues["ServiceRequest/r1"]?.first?.path == "ServiceRequest.code")

        book.forgetDerivations()
        let fixed = try Self.withLocalCode().refresh(&book, after: ["ServiceRequest/r1"])
        #expect(book.sortedEpisodes.map(\.serviceLine) == ["ophthalmology.cataract"])
        #expect(fixed.unmatchedReferrals.isEmpty)
        #expect(fixed.changes.map(\.episode.serviceLine) == ["ophthalmology.cataract"])
    }

    @Test func aRemovedTriggerKeepsTheEpisodeItOpened() throws {
        var book = EpisodeBook()
        _ = self.shipped.ingest(CataractScenario.patient, sender: nil, into: &book)
        let referral = TriggerOpeningTests.referral(
            id: "r1",
            system: "http://www.ama-assn.org/go/cpt",
            code: "66984",
            authoredOn: "2026-03-01"
        )
        _ = self.shipped.ingest(referral, sender: nil, into: &book)
        let opened = try #require(book.sortedEpisodes.first)
        #expect(opened.serviceLine == "ophthalmology.cataract")

        let narrower = try Self.without66984()
        book.forgetDerivations()
        let kept = narrower.refresh(&book, after: ["ServiceRequest/r1"])
        #expect(book.sortedEpisodes.map(\.id) == [opened.id])
        #expect(book.sortedEpisodes.first?.serviceLine == "ophthalmology.cataract")
        #expect(kept.unmatchedReferrals.isEmpty && kept.retiredEpisodeIDs.isEmpty)

        // A referral first seen under the narrower mappings opens nothing: only what was opened is kept.
        var fresh = EpisodeBook()
        _ = narrower.ingest(CataractScenario.patient, sender: nil, into: &fresh)
        let unopened = narrower.ingest(referral, sender: nil, into: &fresh)
        #expect(fresh.sortedEpisodes.isEmpty)
        #expect(unopened.unmatchedReferrals.map(\.key) == ["ServiceRequest/r1"])
    }
}
