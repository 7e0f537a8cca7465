import CoManagement
import FHIRCore
import Foundation
public import Logging
public import ServiceLifecycle
public import Store

/// Keeps the REST Subscriptions going (R4 Subscriptions Backport IG): refreshes the
/// ``SubscriptionDirectory`` from the store, sends each Subscription asked for (`requested`) its
/// handshake, and each active one with a heartbeat period its heartbeats. A Service of `tandem serve`.
///
/// A handshake answered 2xx makes the Subscription `active`; any other answer, or none, puts it in
/// `error` with the reason, for the partner to see in `$status` and set back to `requested`. Heartbeats
/// follow every period whatever else was sent. On PostgreSQL each check is leased
/// (``Store/SubscriptionStore/claimSubscriptionChecks(now:lease:)``), so one replica sends it. Every
/// handshake and heartbeat is audited.
public struct SubscriptionKeeper: Service {
    let store: any Store
    let directory: SubscriptionDirectory
    let builder: NotificationBuilder
    let transport: any Transport
    let doorbell: DeliveryDoorbell
    let interval: Duration
    let logger: Logger

    /// - Parameters:
    ///   - doorbell: ring it when a Subscription was saved, so the directory and the handshake follow at once.
    ///   - interval: how often the directory is refreshed and checks are looked for without a ring.
    public init(
        store: any Store,
        directory: SubscriptionDirectory,
        builder: NotificationBuilder,
        transport: any Transport,
        doorbell: DeliveryDoorbell,
        interval: Duration = .seconds(1),
        logger: Logger
    ) {
        self.store = store
        self.directory = directory
        self.builder = builder
        self.transport = transport
        self.doorbell = doorbell
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            await self.refresh()
            await self.check(now: Date())
            await cancelWhenGracefulShutdown {
                _ = await self.doorbell.wait(atMost: self.interval)
            }
        }
    }

    /// Reads the REST Subscriptions into the directory.
    func refresh() async {
        do {
            self.directory.refresh(from: try await self.store.subscriptions(owner: nil))
        } catch {
            self.logger.warning("reading subscriptions failed", metadata: ["tandem.error": "\(error)"])
        }
    }

    /// Sends the handshakes and heartbeats due now, a few at a time.
    func check(now: Date) async {
        let due: [SubscriptionRecord]
        do {
            due = try await self.store.claimSubscriptionChecks(now: now, lease: .seconds(120))
        } catch {
            self.logger.warning("claiming subscription checks failed", metadata: ["tandem.error": "\(error)"])
            return
        }
        guard !due.isEmpty else { return }
        await withTaskGroup(of: Void.self) { group in
            var running = 0
            for record in due {
                if running == 8 {
                    await group.next()
                    running -= 1
                }
                group.addTask { await self.check(record, now: now) }
                running += 1
            }
        }
        await self.refresh()
    }

    private func check(_ record: SubscriptionRecord, now: Date) async {
        let kind: SubscriptionStatus.NotificationType = record.status == "requested" ? .handshake : .heartbeat
        guard let partner = self.directory.partner(of: record) else {
            await self.record(
                record,
                status: "error",
                error: "the partner's configuration no longer allows it",
                next: nil
            )
            return
        }
        let count = (try? await self.store.subscriptionEventCount(id: record.id)) ?? 0
        let id = UUID().uuidString.lowercased()
        let bundle = self.builder.bundle(
            kind,
            id: id,
            partner: partner,
            topic: partner.topics.first ?? SubscriptionTopic.all,
            status: record.status,
            eventsSinceStart: count,
            at: now
        )
        let body = FHIRCodec.write(bundle, as: partner.format == .fhirXML ? .xml : .json)
        let request = DeliveryRequestBuilder.request(
            notification: kind.rawValue,
            id: id,
            partner: partner,
            body: body,
            timestamp: Int64(now.timeIntervalSince1970)
        )
        let answer: String?
        switch await self.transport.send(request) {
        case .success(let response) where (200..<300).contains(response.status): answer = nil
        case .success(let response): answer = "\(kind.rawValue): HTTP \(response.status)"
        case .failure(let error): answer = "\(kind.rawValue): \(error)"
        }
        let next = partner.heartbeatPeriod.map { now.addingTimeInterval(Double($0)) }
        switch (kind, answer) {
        case (.handshake, nil):
            await self.record(record, status: "active", error: nil, next: next, kind: kind, answer: "delivered")
        case (.handshake, let failure?):
            await self.record(record, status: "error", error: failure, next: nil, kind: kind, answer: failure)
        default:
            // A heartbeat that fails leaves the subscription as it is; the partner misses it and asks $status.
            await self.record(
                record,
                status: record.status,
                error: nil,
                next: next,
                kind: kind,
                answer: answer ?? "delivered"
            )
        }
    }

    private func record(
        _ record: SubscriptionRecord,
        status: String,
        error: String?,
        next: Date?,
        kind: SubscriptionStatus.NotificationType? = nil,
        answer: String? = nil
    ) async {
        let audit = kind.map { kind in
            AuditEntry(
                at: Date(),
                action: "delivery-\(kind.rawValue)",
                outcome: error == nil ? .success : .minorFailure,
                sender: record.owner,
                resourceReference: "Subscription/\(record.id)",
                detail: "\(kind.rawValue) to subscription \(record.id): \(answer ?? "-")",
                role: "partner"
            )
        }
        do {
            try await self.store.recordSubscriptionCheck(
                id: record.id,
                version: record.version,
                status: status,
                error: error,
                nextCheck: next,
                audit: audit
            )
        } catch {
            self.logger.warning(
                "recording a subscription check failed",
                metadata: ["tandem.subscription": "\(record.id)", "tandem.error": "\(error)"]
            )
        }
    }
}
