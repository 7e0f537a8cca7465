import CoManagement
import FHIRCore
import Foundation
import Store
import Testing

@testable import Delivery

@Suite struct NotificationBuilderTests {
    typealias F = Fixtures

    let builder = NotificationBuilder(baseURL: "https://tandem.example/fhir/")
    let plannedAt = Date(timeIntervalSince1970: 1_800_000_000.25)
    let delivery = PlannedDelivery(
        id: DeliveryID.make(partnerID: "optometry", episodeID: "ep-1", timelineEvent: 9),
        partnerID: "optometry",
        episodeID: "ep-1",
        eventNumber: 4,
        event: Fixtures.event(9, .referralAccepted, source: "ServiceRequest/sr-1/_history/2")
    )

    func serviceRequest() throws -> Element {
        let json = #"""
            {"resourceType":"ServiceRequest","id":"sr-1","meta":{"versionId":"2"},"status":"active",
             "intent":"order","subject":{"reference":"Patient/p-1"}}
            """#
        return try FHIRCodec.read(Array(json.utf8), as: .json).root
    }

    func bundle(_ payload: PayloadMode) throws -> Element {
        self.builder.bundle(
            for: self.delivery,
            partner: F.partner("optometry", payload: payload),
            resources: [try self.serviceRequest()],
            plannedAt: self.plannedAt
        )
    }

    @Test func fullNotificationIsAValidHistoryBundle() throws {
        let bundle = try self.bundle(.full)
        #expect(Validator.validate(bundle).errors == [])
        #expect(bundle.string("type") == "history")
        #expect(bundle.string("timestamp") == "2027-01-15T08:00:00.250Z")
        let entries = bundle.children(named: "entry")
        #expect(entries.count == 2)
        #expect(entries[0].child("resource")?.type == "Parameters")
        #expect(entries[1].string("fullUrl") == "https://tandem.example/fhir/ServiceRequest/sr-1")
        #expect(entries[1].child("resource")?.string("id") == "sr-1")
        #expect(entries[1].child("request")?.string("method") == "PUT")
        #expect(entries[1].child("request")?.string("url") == "ServiceRequest/sr-1")
    }

    @Test func statusParametersFollowTheBackportShape() throws {
        let status = try #require(try self.bundle(.full).children(named: "entry").first?.child("resource"))
        let parameters = status.children(named: "parameter")
        #expect(
            parameters.compactMap { $0.string("name") } == [
                "subscription", "topic", "status", "type", "events-since-subscription-start", "notification-event",
            ]
        )
        func value(_ name: String) -> Element? { parameters.first { $0.string("name") == name }?.child("value") }
        #expect(value("subscription")?.string("reference") == "https://tandem.example/fhir/Subscription/optometry")
        #expect(value("topic")?.value == "https://tandem.example/fhir/SubscriptionTopic/referral")
        #expect(value("topic")?.type == "canonical")
        #expect(value("status")?.value == "active")
        #expect(value("type")?.value == "event-notification")
        #expect(value("events-since-subscription-start")?.value == "4")
        let event = try #require(parameters.last).children(named: "part")
        #expect(event.compactMap { $0.string("name") } == ["event-number", "timestamp", "focus"])
        #expect(event[0].child("value")?.value == "4")
        #expect(event[1].child("value")?.type == "instant")
        #expect(
            event[2].child("value")?.string("reference") == "https://tandem.example/fhir/ServiceRequest/sr-1/_history/2"
        )
    }

    @Test func idOnlyNamesTheFocusWithoutCarryingIt() throws {
        let bundle = try self.bundle(.idOnly)
        #expect(Validator.validate(bundle).errors == [])
        let entries = bundle.children(named: "entry")
        #expect(entries.count == 2)
        #expect(entries[1].child("resource") == nil)
        #expect(entries[1].string("fullUrl") == "https://tandem.example/fhir/ServiceRequest/sr-1")
    }

    @Test(arguments: [NotificationFormat.fhirJSON, .fhirXML])
    func renderedBodyReadsBackAndValidates(format: NotificationFormat) throws {
        let body = self.builder.body(
            for: self.delivery,
            partner: F.partner("optometry", format: format),
            episode: F.episode(),
            resources: [try self.serviceRequest()],
            plannedAt: self.plannedAt
        )
        let wire: WireFormat = format == .fhirXML ? .xml : .json
        let (tree, outcome) = try FHIRCodec.readAndValidate(body, as: wire)
        #expect(outcome.errors == [])
        #expect(tree == (try self.bundle(.full)))
    }

    @Test func bodyIsTheSameOnEveryCall() throws {
        let partner = F.partner("optometry")
        let resources = [try self.serviceRequest()]
        let first = self.builder.body(
            for: self.delivery,
            partner: partner,
            episode: F.episode(),
            resources: resources,
            plannedAt: self.plannedAt
        )
        let second = self.builder.body(
            for: self.delivery,
            partner: partner,
            episode: F.episode(),
            resources: resources,
            plannedAt: self.plannedAt
        )
        #expect(first == second)
    }

    @Test func firstVersionIsACreate() throws {
        var resource = try self.serviceRequest()
        resource.children = resource.children.filter { $0.name != "meta" }
        resource.children.insert(
            Element(name: "meta", type: "Meta", children: [Element(name: "versionId", type: "id", value: "1")]),
            at: 1
        )
        let bundle = self.builder.bundle(
            for: self.delivery,
            partner: F.partner("o"),
            resources: [resource],
            plannedAt: self.plannedAt
        )
        let request = bundle.children(named: "entry")[1].child("request")
        #expect(request?.string("method") == "POST")
        #expect(request?.string("url") == "ServiceRequest")
        #expect(bundle.children(named: "entry")[1].child("response")?.string("status") == "201")
        #expect(Validator.validate(bundle).errors == [])
    }

    @Test func episodeDocumentIsTheEpisodeJSONWithSortedKeys() throws {
        let body = self.builder.body(
            for: self.delivery,
            partner: F.partner("o", format: .episodeDocument),
            episode: F.episode(),
            resources: [],
            plannedAt: self.plannedAt
        )
        #expect(try JSONDecoder().decode(Episode.self, from: Data(body)) == F.episode())
        #expect(String(decoding: body, as: UTF8.self).hasPrefix(#"{"carePlans":[]"#))
    }

    @Test func episodeDocumentSurvivesNonFiniteMeasures() throws {
        var episode = Fixtures.episode()
        episode.measures.hoursToAcknowledgement = .nan
        let text = String(decoding: NotificationBuilder.episodeDocument(episode), as: UTF8.self)
        #expect(text.contains(#""hoursToAcknowledgement":"NaN""#))
    }

    @Test func sourceReferencesParse() {
        #expect(ResourceReference("ServiceRequest/sr-1/_history/2")?.versionedPath == "ServiceRequest/sr-1/_history/2")
        #expect(ResourceReference("CareTeam/ct-1#participant")?.path == "CareTeam/ct-1")
        #expect(ResourceReference("CareTeam/ct-1")?.version == nil)
        #expect(ResourceReference("nonsense") == nil)
        #expect(ResourceReference("a/b") == nil)
        #expect(ResourceReference("Patient/p/_other/1") == nil)
    }
}
