import CoManagement
import FHIRCore
import Foundation
import Metrics
import Store
import Synchronization
import Testing

@testable import Delivery

/// What delivery does for topic-based Subscriptions: the directory of subscriptions, their notifications
/// (empty payloads, handshakes, heartbeats), the request each attempt sends, and the metrics it counts.
@Suite struct SubscriptionDeliveryTests {
    typealias F = Fixtures

    static let profile = SubscriberProfile(
        account: "eyecare",
        represents: ["Organization/eyecare-1"],
        serviceLines: ["ophthalmology.cataract"],
        hmacSecret: "s3cret",
        timeout: .seconds(7)
    )

    static func record(
        _ id: String,
        status: String,
        owner: String = "eyecare",
        content: String = "empty"
    ) -> SubscriptionRecord {
        let json = #"""
            {"resourceType":"Subscription","status":"requested","reason":"r",
             "criteria":"https://tandem.example/fhir/SubscriptionTopic/consent",
             "_criteria":{"extension":[{"url":"http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-filter-criteria","valueString":"episode=ep-1"}]},
             "channel":{"extension":[{"url":"http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-heartbeat-period","valueUnsignedInt":30}],
              "type":"rest-hook","endpoint":"https://partner.example/hook","header":["X-Partner-Key: k1","X-Tandem-Partner: spoofed"],
              "payload":"application/fhir+xml",
              "_payload":{"extension":[{"url":"http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-payload-content","valueCode":"\#(content)"}]}}}
            """#
        return SubscriptionRecord(
            id: id,
            owner: owner,
            origin: .rest,
            status: status,
            lastUpdated: Date(),
            resource: Array(json.utf8)
        )
    }

    @Test func theDirectoryDeliversToActiveSubscriptionsOfKnownPartners() throws {
        let configured = F.partner("eyecare", serviceLines: ["ophthalmology.cataract"])
        let directory = SubscriptionDirectory(
            configured: [configured],
            profiles: [Self.profile],
            baseURL: "https://tandem.example/fhir/"
        )
        directory.refresh(from: [
            Self.record("s-active", status: "active"), Self.record("s-requested", status: "requested"),
            Self.record("s-stranger", status: "active", owner: "nobody"),
        ])
        #expect(directory.subscriptions.map(\.id) == ["eyecare", "s-active"])
        #expect(directory.partner("s-requested") == nil)
        #expect(directory.partner("eyecare") == configured)
        let partner = try #require(directory.partner("s-active"))
        #expect(partner.account == "eyecare")
        #expect(partner.endpoint.absoluteString == "https://partner.example/hook")
        #expect(partner.format == .fhirXML && partner.payload == .empty)
        #expect(partner.topics == ["consent"])
        #expect(partner.filter.episodes == ["ep-1"])
        #expect(partner.heartbeatPeriod == 30)
        #expect(partner.represents == Self.profile.represents && partner.hmacSecret == "s3cret")
        #expect(partner.timeout == .seconds(7), "the profile's, the Subscription naming none")
        // What the configured partner's account lends when it has no profile of its own.
        #expect(SubscriptionDirectory(configured: [configured], profiles: [], baseURL: "").profiles["eyecare"] != nil)
    }

    @Test func anEmptyPayloadNamesNeitherTopicNorFocusAndHandshakesCarryTheCount() throws {
        let builder = NotificationBuilder(baseURL: "https://tandem.example/fhir")
        let delivery = PlannedDelivery(
            id: "d-1",
            partnerID: "s-1",
            episodeID: "ep-1",
            eventNumber: 12,
            event: F.event(3, .consentChanged, source: "Consent/c-1/_history/1")
        )
        let empty = builder.bundle(
            for: delivery,
            partner: F.partner("s-1", payload: .empty),
            resources: [],
            plannedAt: Date(timeIntervalSince1970: 1_800_000_000)
        )
        #expect(empty.children(named: "entry").count == 1)
        let status = try #require(empty.child("entry")?.child("resource"))
        let names = status.children(named: "parameter").compactMap { $0.string("name") }
        #expect(!names.contains("topic"))
        #expect(
            status.children(named: "parameter").first { $0.string("name") == "notification-event" }?
                .children(named: "part").compactMap { $0.string("name") } == ["event-number", "timestamp"]
        )
        #expect(Validator.validate(empty).hasErrors == false)
        let handshake = builder.bundle(
            .handshake,
            id: "h-1",
            partner: F.partner("s-1"),
            topic: "all",
            status: "requested",
            eventsSinceStart: 0,
            at: Date(timeIntervalSince1970: 1_800_000_000)
        )
        let parameters = try #require(handshake.child("entry")?.child("resource"))
        func value(_ name: String) -> String? {
            parameters.children(named: "parameter").first { $0.string("name") == name }?.child("value")?.value
        }
        #expect(value("type") == "handshake")
        #expect(value("events-since-subscription-start") == "0")
        #expect(value("topic") == "https://tandem.example/fhir/SubscriptionTopic/all")
        #expect(Validator.validate(handshake).hasErrors == false)
    }

    @Test func eachAttemptContinuesTheTraceAndSendsTheChannelsHeaders() throws {
        let directory = SubscriptionDirectory(
            configured: [],
            profiles: [Self.profile],
            baseURL: "https://tandem.example/fhir"
        )
        let partner = try #require(directory.partner(of: Self.record("s-1", status: "active")))
        var delivery = PlannedDelivery(
            id: "d-1",
            partnerID: "s-1",
            episodeID: "ep-1",
            eventNumber: 5,
            event: F.event(3, .consentChanged),
            traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        )
        let first = DeliveryRequestBuilder.request(for: delivery, partner: partner, body: [1], attempt: 1, timestamp: 1)
        let second = DeliveryRequestBuilder.request(
            for: delivery,
            partner: partner,
            body: [1],
            attempt: 2,
            timestamp: 1
        )
        let trace = try #require(first.header("traceparent").flatMap(TraceParent.init))
        #expect(trace.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(trace.parentID != "00f067aa0ba902b7", "a span of its own")
        #expect(second.header("traceparent") != first.header("traceparent"), "one span per attempt")
        #expect(first.header("X-Partner-Key") == "k1")
        #expect(first.headers.filter { $0.name == "X-Tandem-Partner" }.map(\.value) == ["s-1"], "never spoofed")
        #expect(first.header("X-Tandem-Signature")?.hasPrefix("sha256=") == true)
        delivery.traceparent = "garbage"
        #expect(
            DeliveryRequestBuilder.request(for: delivery, partner: partner, body: [1], attempt: 1, timestamp: 1).header(
                "traceparent"
            ) == nil
        )
        let heartbeat = DeliveryRequestBuilder.request(
            notification: "heartbeat",
            id: "h-1",
            partner: partner,
            body: [1],
            timestamp: 1
        )
        #expect(heartbeat.header("X-Tandem-Notification") == "heartbeat")
        #expect(heartbeat.header("X-Tandem-Event-Number") == nil)
    }

    @Test func traceParentsAreReadStrictly() {
        #expect(TraceParent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01") != nil)
        #expect(TraceParent("00-00000000000000000000000000000000-00f067aa0ba902b7-01") == nil)
        #expect(TraceParent("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01") == nil, "lower-case hex only")
        #expect(TraceParent("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01") == nil)
        let random = TraceParent.random()
        #expect(TraceParent(random.description) == random)
    }

    @Test func metricsCountOutcomesAndSetTheOutboxGauges() {
        let factory = RecordingMetrics()
        let metrics = DeliveryMetrics(factory: factory)
        let attempt = DeliveryAttempt(number: 1, startedAt: Date(), status: 503, duration: .milliseconds(250))
        metrics.record(
            DeliveryOutcome(action: .retry(after: .seconds(1), at: Date()), attempt: attempt, refusal: nil),
            subscription: "s-1",
            partner: "eyecare"
        )
        metrics.record(
            DeliveryOutcome(action: .markDelivered, attempt: attempt, refusal: nil),
            subscription: "s-1",
            partner: "eyecare"
        )
        #expect(
            factory.value("tandem_deliveries_total", ["partner": "eyecare", "subscription": "s-1", "outcome": "retry"])
                == 1
        )
        #expect(
            factory.value(
                "tandem_deliveries_total",
                ["partner": "eyecare", "subscription": "s-1", "outcome": "delivered"]
            ) == 1
        )
        #expect(factory.value("tandem_delivery_attempt_duration", ["partner": "eyecare"]) == 250_000_000)
        let now = Date(timeIntervalSince1970: 1_000)
        metrics.record(
            [
                OutboxStatistics(
                    subscription: "s-1",
                    partner: "eyecare",
                    depth: 3,
                    oldestDue: Date(timeIntervalSince1970: 940),
                    dead: 2
                )
            ],
            now: now
        )
        let labels = ["partner": "eyecare", "subscription": "s-1"]
        #expect(factory.value("tandem_outbox_depth", labels) == 3)
        #expect(factory.value("tandem_outbox_oldest_due_seconds", labels) == 60)
        #expect(factory.value("tandem_outbox_dead_letters", labels) == 2)
        metrics.record([], now: now)
        #expect(factory.value("tandem_outbox_depth", labels) == 0, "a subscription that emptied reads zero")
    }
}

/// A metrics backend that keeps the last value (gauges, timers) or the sum (counters) per label set.
final class RecordingMetrics: MetricsFactory, Sendable {
    private let values = Mutex<[String: Double]>([:])

    static func key(_ label: String, _ dimensions: [(String, String)]) -> String {
        label + dimensions.sorted { $0.0 < $1.0 }.map { "|\($0.0)=\($0.1)" }.joined()
    }

    func value(_ label: String, _ dimensions: [String: String]) -> Double? {
        self.values.withLock { $0[Self.key(label, dimensions.map { ($0.key, $0.value) })] }
    }

    fileprivate func set(_ key: String, _ value: Double, adding: Bool) {
        self.values.withLock { $0[key] = adding ? ($0[key] ?? 0) + value : value }
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        Handler(factory: self, key: Self.key(label, dimensions), adding: true)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        Handler(factory: self, key: Self.key(label, dimensions), adding: false)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        Handler(factory: self, key: Self.key(label, dimensions), adding: false)
    }

    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}

    /// A class, as swift-metrics' handler protocols require; immutable, so `Sendable`.
    private final class Handler: CounterHandler, RecorderHandler, TimerHandler, Sendable {
        let factory: RecordingMetrics
        let key: String
        let adding: Bool

        init(factory: RecordingMetrics, key: String, adding: Bool) {
            self.factory = factory
            self.key = key
            self.adding = adding
        }

        func increment(by amount: Int64) { self.factory.set(self.key, Double(amount), adding: self.adding) }
        func reset() { self.factory.set(self.key, 0, adding: false) }
        func record(_ value: Int64) { self.factory.set(self.key, Double(value), adding: false) }
        func record(_ value: Double) { self.factory.set(self.key, value, adding: false) }
        func recordNanoseconds(_ duration: Int64) { self.factory.set(self.key, Double(duration), adding: false) }
    }
}
