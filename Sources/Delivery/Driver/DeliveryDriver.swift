public import CoManagement
public import Foundation
public import Store

/// Performs one attempt for one claimed outbox row: the thin driver of ``DeliveryStateMachine``.
///
/// It checks consent again, asks the state machine whether to send, builds and signs the request, sends it
/// through the ``Transport`` and feeds the answer back to the machine. It reads and writes no store: the
/// forwarder loop that claims rows hands each one in and persists the ``DeliveryOutcome`` it gets back.
public struct DeliveryDriver: Sendable {
    public let transport: any Transport
    /// The gateway's decision when no Consent applies (the same as at planning).
    public let consentDefaultPermit: Bool
    public let jitter: Jitter
    private let clock: @Sendable () -> Date

    /// - Parameter clock: the wall clock; tests pass a fixed one.
    public init(
        transport: any Transport,
        consentDefaultPermit: Bool,
        jitter: Jitter = .system,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.transport = transport
        self.consentDefaultPermit = consentDefaultPermit
        self.jitter = jitter
        self.clock = clock
    }

    /// The driver's wall clock.
    public func now() -> Date { self.clock() }

    /// Attempts one delivery.
    /// - Parameters:
    ///   - entry: the claimed row, with the notification rendered at planning (``NotificationBuilder``),
    ///     the same on every attempt.
    ///   - partner: the row's partner, from the current configuration.
    ///   - parties: the episode's parties and consent as they are now, so consent revoked since planning
    ///     stops the delivery.
    public func attempt(
        _ entry: OutboxEntry,
        partner: Partner,
        parties: EpisodeParties
    ) async
        -> DeliveryOutcome
    {
        var machine = DeliveryStateMachine(
            policy: partner.retry,
            createdAt: entry.createdAt,
            attemptsMade: entry.attemptsMade,
            retryAt: entry.retryAt,
            jitter: self.jitter
        )
        let delivery = entry.delivery
        if let refusal = DeliveryPlanner.recheckConsent(
            partner: partner,
            parties: parties,
            timelineEventNumber: delivery.event.number,
            consentDefaultPermit: self.consentDefaultPermit
        ) {
            return DeliveryOutcome(action: machine.consentRevoked(), attempt: nil, refusal: refusal)
        }
        let startedAt = self.clock()
        let start = machine.attemptStarted(now: startedAt)
        let number: Int
        switch start {
        case .send(let attempt): number = attempt
        case .deadLetter(let reason):
            // Too old, or no attempts left: dead-lettered without sending.
            return DeliveryOutcome(action: .deadLetter(reason), attempt: nil, refusal: nil)
        }
        let request = DeliveryRequestBuilder.request(
            for: delivery,
            partner: partner,
            body: delivery.body,
            attempt: number,
            timestamp: Int64(startedAt.timeIntervalSince1970)
        )
        let result = await self.transport.send(request)
        let finishedAt = self.clock()
        var attempt = DeliveryAttempt(
            number: number,
            startedAt: startedAt,
            duration: .seconds(max(0, finishedAt.timeIntervalSince(startedAt)))
        )
        let action: DeliveryStateMachine.Action
        switch result {
        case .success(let response):
            attempt.status = response.status
            attempt.excerpt = response.excerpt
            attempt.duration = response.duration
            attempt.httpVersion = response.httpVersion
            action = machine.responseReceived(
                status: response.status,
                retryAfter: response.retryAfter.flatMap(RetryAfter.init(headerValue:)),
                now: finishedAt
            )
        case .failure(let error):
            attempt.error = error.description
            action = machine.transportFailed(error.kind, now: finishedAt)
        }
        return DeliveryOutcome(action: action, attempt: attempt, refusal: nil)
    }
}
