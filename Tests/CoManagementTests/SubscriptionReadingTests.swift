import CoManagement
import FHIRCore
import Testing

/// Subscriptions as the R4 Backport IG profiles them, read without I/O; topics and filters.
@Suite struct SubscriptionReadingTests {
    static let base = "https://tandem.example/fhir"

    static func subscription(
        criteria: String = "https://tandem.example/fhir/SubscriptionTopic/referral",
        filters: [String] = ["service-line=ophthalmology.cataract"],
        content: String? = "full-resource",
        channelType: String = "rest-hook",
        payload: String = "application/fhir+xml",
        extras: String = ""
    ) throws -> Element {
        let filterJSON = filters.map {
            #"{"url":"http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-filter-criteria","valueString":"\#($0)"}"#
        }.joined(separator: ",")
        let contentJSON =
            content.map {
                #","_payload":{"extension":[{"url":"http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-payload-content","valueCode":"\#($0)"}]}"#
            } ?? ""
        let json = #"""
            {"resourceType":"Subscription","status":"requested","reason":"r","end":"2031-01-01T00:00:00Z","criteria":"\#(criteria)",
             "_criteria":{"extension":[\#(filterJSON)]},
             "channel":{"extension":[
               {"url":"http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-heartbeat-period","valueUnsignedInt":120},
               {"url":"http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-timeout","valueUnsignedInt":30}\#(extras)],
              "type":"\#(channelType)","endpoint":"https://partner.example/hook","header":["Authorization: Bearer x"],
              "payload":"\#(payload)"\#(contentJSON)}}
            """#
        return try FHIRJSON.read(Array(json.utf8)).root
    }

    @Test func aBackportSubscriptionReadsWithEveryPart() throws {
        let read = try TopicSubscription.read(try Self.subscription(), base: Self.base)
        #expect(read.topic == "referral")
        #expect(read.status == "requested")
        #expect(read.filter.serviceLines == ["ophthalmology.cataract"])
        #expect(read.endpoint == "https://partner.example/hook")
        #expect(read.headers == ["Authorization: Bearer x"])
        #expect(read.contentType == "application/fhir+xml")
        #expect(read.content == .fullResource)
        #expect(read.heartbeatPeriod == 120)
        #expect(read.timeout == 30)
        #expect(read.end == "2031-01-01T00:00:00Z")
        // Without a content level the IG requires, id-only is assumed.
        #expect(try TopicSubscription.read(try Self.subscription(content: nil), base: Self.base).content == .idOnly)
        // Read back after the gateway checked it: any base.
        let elsewhere = try Self.subscription(criteria: "http://other/fhir/SubscriptionTopic/all")
        #expect(try TopicSubscription.read(elsewhere, base: nil).topic == "all")
    }

    @Test(arguments: [
        ("criteria", "Subscription.criteria"), ("filter", "Subscription.criteria.extension[1]"),
        ("channel", "Subscription.channel.type"), ("payload", "Subscription.channel.payload"),
        ("content", "Subscription.channel.payload.extension"),
    ])
    func whatCannotBeHonouredIsRefusedAtItsPath(part: String, path: String) throws {
        let resource: Element =
            switch part {
            case "criteria":
                try Self.subscription(criteria: "https://tandem.example/fhir/SubscriptionTopic/lab-results")
            case "filter": try Self.subscription(filters: ["episode=ep-1", "Encounter?class=inpatient"])
            case "channel": try Self.subscription(channelType: "websocket")
            case "payload": try Self.subscription(payload: "text/plain")
            default: try Self.subscription(content: "everything")
            }
        do {
            _ = try TopicSubscription.read(resource, base: Self.base)
            Issue.record("\(part) was accepted")
        } catch {
            #expect(error.issues.contains { $0.path == path && $0.isError }, "\(error)")
        }
    }

    @Test func theTopicsAreTheDeliveryTopicsAndAll() {
        #expect(SubscriptionTopic.names == ["all", "care-plan", "consent", "episode", "handoff", "referral", "report"])
        #expect(
            SubscriptionTopic.canonical("report", base: Self.base)
                == "https://tandem.example/fhir/SubscriptionTopic/report"
        )
        #expect(
            SubscriptionTopic.name(of: "https://tandem.example/fhir/SubscriptionTopic/report", base: Self.base)
                == "report"
        )
        #expect(SubscriptionTopic.name(of: "https://other/fhir/SubscriptionTopic/report", base: Self.base) == nil)
        #expect(SubscriptionTopic.includes("all", .consentChanged))
        #expect(SubscriptionTopic.includes("referral", .referralAccepted))
        #expect(!SubscriptionTopic.includes("referral", .consentChanged))
    }

    @Test func filtersNarrowByServiceLinePatientAndEpisode() {
        var episode = Episode(
            id: "ep-1",
            patient: PatientSummary(
                key: "urn:mrn|1",
                identifiers: [Identifier(system: "urn:chart", value: "C-9")],
                reference: "Patient/p-1"
            ),
            serviceLine: "ophthalmology.cataract"
        )
        func admits(_ criteria: String...) -> Bool {
            var filter = EpisodeFilter()
            for criterion in criteria { #expect(filter.add(criterion: criterion) == nil, "\(criterion)") }
            return filter.admits(episode)
        }
        #expect(EpisodeFilter().admits(episode))
        #expect(admits("service-line=ophthalmology.cataract,cardiology.heart-failure"))
        #expect(!admits("service-line=cardiology.heart-failure"))
        #expect(admits("patient=Patient/p-1"))
        #expect(admits("Episode?patient.identifier=urn:chart|C-9"))
        #expect(admits("patient.identifier=urn%3Amrn%7C1"), "the patient key, escaped as a URL writes it")
        #expect(!admits("patient.identifier=urn:chart|C-8"))
        #expect(admits("episode=ep-1&service-line=ophthalmology.cataract"))
        #expect(!admits("episode=ep-1", "service-line=orthopedics.hip-fracture"), "criteria are ANDed")
        episode.patient.reference = nil
        #expect(!admits("patient=Patient/p-1"))
        var bad = EpisodeFilter()
        #expect(bad.add(criterion: "patient=p-1") != nil)
        #expect(bad.add(criterion: "code=x") != nil)
        #expect(bad.add(criterion: "episode=") != nil)
    }
}
