import CoManagement
import FHIRCore
import Testing

/// Every reference form FHIR allows names the same patient, and the same episode follows.
@Suite struct ReferenceResolutionTests {
    let normaliser: Normaliser

    init() throws {
        self.normaliser = Normaliser(mappings: try MappingFixtures.shipped())
    }

    func episode(_ resources: [Element]) throws -> Episode {
        var book = EpisodeBook()
        for resource in resources { _ = self.normaliser.ingest(resource, sender: nil, into: &book) }
        return try #require(book.sortedEpisodes.first)
    }

    @Test(arguments: [
        ("relative", #"{ "reference": "Patient/p1" }"#),
        ("absolute", #"{ "reference": "https://hospital.example.org/fhir/Patient/p1" }"#),
        ("versioned", #"{ "reference": "Patient/p1/_history/3" }"#),
        (
            "logical",
            #"{ "type": "Patient", "identifier": { "system": "http://hospital.example.org/fhir/sid/mrn", "value": "MRN-1001" } }"#
        ),
    ])
    func subjectReferenceResolvesToHeldPatient(form: String, subject: String) throws {
        let episode = try self.episode(CataractScenario.parties + [CataractScenario.referral(subject: subject)])
        #expect(episode.patient.key == CataractScenario.mrn, "\(form)")
        #expect(episode.patient.name == "Ada Okafor", "\(form)")
    }

    @Test func urnUUIDReferencesResolveWithinATransactionBundle() throws {
        let bundle = FHIRFixture.resource(
            #"""
            { "resourceType": "Bundle", "type": "transaction", "entry": [
              { "fullUrl": "urn:uuid:0f7c3b7e-1b43-4d7a-9f0e-2d8c1b0a0001",
                "resource": { "resourceType": "Patient",
                  "identifier": [{ "system": "http://hospital.example.org/fhir/sid/mrn", "value": "MRN-1001" }],
                  "name": [{ "text": "Ada Okafor" }] },
                "request": { "method": "POST", "url": "Patient" } },
              { "fullUrl": "urn:uuid:0f7c3b7e-1b43-4d7a-9f0e-2d8c1b0a0002",
                "resource": { "resourceType": "ServiceRequest", "status": "active", "intent": "order",
                  "code": { "coding": [{ "system": "http://hospital.example.org/fhir/CodeSystem/service", "code": "CAT-PHACO" }] },
                  "subject": { "reference": "urn:uuid:0f7c3b7e-1b43-4d7a-9f0e-2d8c1b0a0001" },
                  "requester": { "reference": "urn:uuid:0f7c3b7e-1b43-4d7a-9f0e-2d8c1b0a0003" } },
                "request": { "method": "POST", "url": "ServiceRequest" } },
              { "fullUrl": "urn:uuid:0f7c3b7e-1b43-4d7a-9f0e-2d8c1b0a0003",
                "resource": { "resourceType": "PractitionerRole",
                  "code": [{ "coding": [{ "system": "http://nucc.org/provider-taxonomy", "code": "207W00000X" }] }],
                  "practitioner": { "reference": "Practitioner/surg" } },
                "request": { "method": "POST", "url": "PractitionerRole" } } ] }
            """#
        )
        let episode = try self.episode([CataractScenario.surgeon, bundle])
        #expect(episode.serviceLine == "ophthalmology.cataract", "local code translated through the ConceptMap")
        #expect(episode.patient.key == CataractScenario.mrn && episode.patient.name == "Ada Okafor")
        // The PractitionerRole stands for its practitioner, so the surgeon is keyed by NPI.
        #expect(episode.participants.map(\.key) == [CataractScenario.surgeonNPI])
        #expect(episode.participants.first?.role == "surgeon")
        #expect(episode.sources.contains("urn:uuid:0f7c3b7e-1b43-4d7a-9f0e-2d8c1b0a0002"))
    }

    @Test func containedPatientResolves() throws {
        let referral = FHIRFixture.resource(
            #"""
            { "resourceType": "ServiceRequest", "id": "sr-9", "status": "active", "intent": "order",
              "contained": [{ "resourceType": "Patient", "id": "pat",
                "identifier": [{ "system": "http://regional-hie.example.org/fhir/sid/enterprise-id", "value": "E-55" }],
                "name": [{ "family": "Okafor", "given": ["Ada"] }] }],
              "code": { "coding": [{ "system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "H25.9" }] },
              "subject": { "reference": "#pat" } }
            """#
        )
        let episode = try self.episode([referral])
        #expect(episode.patient.key == "http://regional-hie.example.org/fhir/sid/enterprise-id|E-55")
        #expect(episode.patient.name == "Ada Okafor")
    }

    @Test func unresolvedReferenceFallsBackAndWarns() throws {
        var book = EpisodeBook()
        let ingestion = self.normaliser.ingest(CataractScenario.referral(), sender: nil, into: &book)
        #expect(book.sortedEpisodes.first?.patient.key == "Patient/p1")
        #expect(ingestion.outcome.issues.contains { $0.severity == .warning && $0.message.contains("not held yet") })
        // When the Patient arrives the episode is re-keyed and keeps its timeline.
        let arrived = self.normaliser.ingest(CataractScenario.patient, sender: nil, into: &book)
        let change = try #require(arrived.changes.first)
        #expect(change.previousEpisodeID != nil && change.previousEpisodeID != change.episodeID)
        #expect(change.episode.patient.key == CataractScenario.mrn)
        #expect(change.episode.timeline.first?.kind == .episodeOpened)
        #expect(book.episodes.count == 1)
    }

    @Test func lakesideSenderOverrideFindsPerformerInExtension() throws {
        let referral = FHIRFixture.resource(
            #"""
            { "resourceType": "ServiceRequest", "id": "lk-1", "status": "active", "intent": "order",
              "extension": [{ "url": "http://lakeside-eye.example.org/fhir/StructureDefinition/co-managing-provider",
                              "valueReference": { "reference": "Practitioner/opt" } }],
              "code": { "coding": [{ "system": "http://www.ama-assn.org/go/cpt", "code": "66984" }] },
              "subject": { "reference": "Patient/p1" }, "requester": { "reference": "Practitioner/surg" } }
            """#
        )
        var lakeside = EpisodeBook()
        for resource in CataractScenario.parties + [referral] {
            _ = self.normaliser.ingest(resource, sender: "lakeside-eye-surgery", into: &lakeside)
        }
        let episode = try #require(lakeside.sortedEpisodes.first)
        let optometrist = try #require(episode.participants.first { $0.key == CataractScenario.optometristNPI })
        #expect(optometrist.role == "optometrist" && optometrist.phases == ["post-operative"])
        #expect(episode.referrals.first?.performer?.reference == "Practitioner/opt")

        // Another sender's identical message has no performer: the extension means nothing to it.
        let other = try self.episode(CataractScenario.parties + [referral])
        #expect(other.participants.map(\.key) == [CataractScenario.surgeonNPI])
    }

    /// Senders post the same practitioner in every referral Bundle under a new server id; an episode that
    /// names them by identifier must not change when another patient's referral brings one more copy,
    /// whether the copy's id sorts before or after the one already named.
    @Test(arguments: ["Practitioner/aaa-copy", "Practitioner/zzz-copy"])
    func aLaterCopyOfAPractitionerDoesNotRepointALogicalReference(copyKey: String) throws {
        let carePlan = FHIRFixture.resource(
            #"""
            { "resourceType": "CarePlan", "id": "cp-1", "status": "active", "intent": "plan",
              "basedOn": [{ "reference": "ServiceRequest/sr-1" }], "subject": { "reference": "Patient/p1" },
              "activity": [{ "detail": {
                "code": { "coding": [{ "system": "http://snomed.info/sct", "code": "308273005" }] },
                "status": "scheduled",
                "performer": [{ "type": "Practitioner",
                  "identifier": { "system": "http://hl7.org/fhir/sid/us-npi", "value": "2222222222" } }] } }] }
            """#
        )
        var book = EpisodeBook()
        for resource in CataractScenario.parties + [CataractScenario.referral(), carePlan] {
            _ = self.normaliser.ingest(resource, sender: nil, into: &book)
        }
        let responsible = { book.sortedEpisodes.first?.carePlans.first?.activities.first?.responsible?.reference }
        #expect(responsible() == "Practitioner/opt")

        let id = String(copyKey.dropFirst("Practitioner/".count))
        let copy = FHIRFixture.resource(
            #"""
            { "resourceType": "Practitioner", "id": "\#(id)",
              "identifier": [{ "system": "http://hl7.org/fhir/sid/us-npi", "value": "2222222222" }],
              "name": [{ "family": "Reyes", "given": ["Tomas"] }] }
            """#
        )
        let ingestion = self.normaliser.ingest(copy, sender: nil, into: &book)
        #expect(ingestion.changes.flatMap(\.events).isEmpty, "no event for a copy that brings nothing new")
        #expect(responsible() == "Practitioner/opt")
    }
}
