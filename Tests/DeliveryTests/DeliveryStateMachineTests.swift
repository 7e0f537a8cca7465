import CoManagement
import FHIRCore
import Foundation
import Testing

@testable import Delivery

@Suite struct DeliveryStateMachineTests {
    let created = Date(timeIntervalSince1970: 1_800_000_000)
    let policy = RetryPolicy(
        maximumAttempts: 5,
        maximumAge: .seconds(3600),
        baseBackoff: .seconds(2),
        maximumBackoff: .seconds(60)
    )

    func machine(jitter: Jitter = .fixed(1)) -> DeliveryStateMachine {
        DeliveryStateMachine(policy: self.policy, createdAt: self.created, jitter: jitter)
    }

    func at(_ seconds: Double) -> Date { self.created.addingTimeInterval(seconds) }

    @Test func startsPendingAndSendsTheFirstAttempt() {
        var machine = self.machine()
        #expect(machine.state == .pending)
        #expect(machine.attemptStarted(now: self.at(0)) == .send(attempt: 1))
        #expect(machine.state == .inFlight(attempt: 1))
        #expect(machine.attemptsMade == 1)
    }

    @Test(arguments: [200, 201, 202, 204, 299])
    func successStatusIsDelivered(status: Int) {
        var machine = self.machine()
        _ = machine.attemptStarted(now: self.at(0))
        #expect(machine.responseReceived(status: status, retryAfter: nil, now: self.at(1)) == .markDelivered)
        #expect(machine.state == .delivered)
    }

    @Test(arguments: [408, 429, 500, 502, 503, 504, 599])
    func retryableStatusRetriesWithBackoff(status: Int) {
        var machine = self.machine()
        _ = machine.attemptStarted(now: self.at(0))
        let action = machine.responseReceived(status: status, retryAfter: nil, now: self.at(1))
        #expect(action == .retry(after: .seconds(2), at: self.at(3)))
        #expect(machine.state == .waiting(retryAt: self.at(3)))
    }

    @Test(arguments: [400, 401, 403, 404, 409, 410, 413, 415, 422, 451, 301, 302, 304, 100])
    func otherStatusDeadLettersAtOnce(status: Int) {
        var machine = self.machine()
        _ = machine.attemptStarted(now: self.at(0))
        let action = machine.responseReceived(status: status, retryAfter: nil, now: self.at(1))
        #expect(action == .deadLetter(.rejected(status: status)))
        #expect(machine.state == .deadLettered(.rejected(status: status)))
    }

    @Test(arguments: [
        TransportError.Kind.timeout, .connectionFailed, .hostNotFound, .tls, .connectionLost, .other, .shutdown,
    ])
    func transportErrorsRetry(kind: TransportError.Kind) {
        var machine = self.machine()
        _ = machine.attemptStarted(now: self.at(0))
        #expect(machine.transportFailed(kind, now: self.at(0)) == .retry(after: .seconds(2), at: self.at(2)))
    }

    @Test func invalidRequestDeadLettersAtOnce() {
        var machine = self.machine()
        _ = machine.attemptStarted(now: self.at(0))
        #expect(
            machine.transportFailed(.invalidRequest, now: self.at(0)) == .deadLetter(.undeliverable(.invalidRequest))
        )
    }

    @Test func backoffDoublesUpToTheMaximum() {
        var machine = self.machine()
        var delays: [Duration] = []
        var now = self.at(0)
        for _ in 1..<5 {
            _ = machine.attemptStarted(now: now)
            guard case .retry(let delay, let retryAt) = machine.transportFailed(.timeout, now: now) else {
                Testing.Issue.record("expected a retry")
                return
            }
            delays.append(delay)
            now = retryAt
        }
        #expect(delays == [.seconds(2), .seconds(4), .seconds(8), .seconds(16)])
        #expect(self.policy.backoffCeiling(afterFailedAttempts: 6) == .seconds(60))
        #expect(self.policy.backoffCeiling(afterFailedAttempts: 1000) == .seconds(60))
    }

    @Test func fullJitterScalesTheCeiling() {
        var zero = self.machine(jitter: .fixed(0))
        _ = zero.attemptStarted(now: self.at(0))
        #expect(zero.transportFailed(.timeout, now: self.at(0)) == .retry(after: .zero, at: self.at(0)))

        var half = self.machine(jitter: .fixed(0.5))
        _ = half.attemptStarted(now: self.at(0))
        #expect(half.transportFailed(.timeout, now: self.at(0)) == .retry(after: .seconds(1), at: self.at(1)))

        var wild = self.machine(jitter: Jitter { 7 })  // out of range is clamped to the ceiling
        _ = wild.attemptStarted(now: self.at(0))
        #expect(wild.transportFailed(.timeout, now: self.at(0)) == .retry(after: .seconds(2), at: self.at(2)))
    }

    @Test func systemJitterStaysUnderTheCeiling() {
        for attempt in 1...8 {
            let delay = self.policy.backoff(afterFailedAttempts: attempt, jitter: .system)
            #expect(delay >= .zero && delay <= self.policy.backoffCeiling(afterFailedAttempts: attempt))
        }
    }

    @Test(arguments: [429, 503])
    func retryAfterIsHonouredFor429And503(status: Int) {
        var seconds = self.machine()
        _ = seconds.attemptStarted(now: self.at(0))
        #expect(
            seconds.responseReceived(status: status, retryAfter: .delay(.seconds(30)), now: self.at(0))
                == .retry(after: .seconds(30), at: self.at(30))
        )
        var date = self.machine()
        _ = date.attemptStarted(now: self.at(0))
        #expect(
            date.responseReceived(status: status, retryAfter: .date(self.at(45)), now: self.at(5))
                == .retry(after: .seconds(40), at: self.at(45))
        )
    }

    @Test(arguments: [408, 500, 502])
    func retryAfterIsIgnoredForOtherStatuses(status: Int) {
        var machine = self.machine()
        _ = machine.attemptStarted(now: self.at(0))
        #expect(
            machine.responseReceived(status: status, retryAfter: .delay(.seconds(30)), now: self.at(0))
                == .retry(after: .seconds(2), at: self.at(2))
        )
    }

    @Test func retryAfterInThePastMeansNow() {
        var machine = self.machine()
        _ = machine.attemptStarted(now: self.at(100))
        #expect(
            machine.responseReceived(status: 503, retryAfter: .date(self.at(50)), now: self.at(100))
                == .retry(after: .zero, at: self.at(100))
        )
    }

    @Test func lastAttemptFailingDeadLetters() {
        var machine = self.machine(jitter: .fixed(0))
        for attempt in 1...4 {
            #expect(machine.attemptStarted(now: self.at(0)) == .send(attempt: attempt))
            #expect(
                machine.responseReceived(status: 500, retryAfter: nil, now: self.at(0))
                    == .retry(after: .zero, at: self.at(0))
            )
        }
        #expect(machine.attemptStarted(now: self.at(0)) == .send(attempt: 5))
        let reason = DeadLetterReason.attemptsExhausted(attempts: 5, last: .status(500))
        #expect(machine.responseReceived(status: 500, retryAfter: nil, now: self.at(0)) == .deadLetter(reason))
        #expect(machine.state == .deadLettered(reason))
    }

    @Test func retryPastTheMaximumAgeDeadLetters() {
        var machine = self.machine()
        _ = machine.attemptStarted(now: self.at(3599))
        #expect(
            machine.transportFailed(.timeout, now: self.at(3599)) == .deadLetter(.expired(last: .transport(.timeout)))
        )
    }

    @Test func retryAfterBeyondTheMaximumAgeDeadLetters() {
        var machine = self.machine()
        _ = machine.attemptStarted(now: self.at(0))
        #expect(
            machine.responseReceived(status: 429, retryAfter: .delay(.seconds(7200)), now: self.at(0))
                == .deadLetter(.expired(last: .status(429)))
        )
    }

    @Test func startingPastTheMaximumAgeDeadLetters() {
        var machine = self.machine()
        #expect(machine.attemptStarted(now: self.at(3601)) == .deadLetter(.expired(last: nil)))
        #expect(machine.attemptsMade == 0)
    }

    @Test func consentRevokedBeforeSendingDeadLetters() {
        var pending = self.machine()
        #expect(pending.consentRevoked() == .deadLetter(.consentRevoked))

        var waiting = self.machine()
        _ = waiting.attemptStarted(now: self.at(0))
        _ = waiting.transportFailed(.timeout, now: self.at(0))
        #expect(waiting.consentRevoked() == .deadLetter(.consentRevoked))
        #expect(waiting.state == .deadLettered(.consentRevoked))
    }

    @Test func resumedFromAnOutboxRowContinuesCounting() {
        var machine = DeliveryStateMachine(
            policy: self.policy,
            createdAt: self.created,
            attemptsMade: 3,
            retryAt: self.at(10),
            jitter: .fixed(1)
        )
        #expect(machine.state == .waiting(retryAt: self.at(10)))
        #expect(machine.attemptStarted(now: self.at(10)) == .send(attempt: 4))
        #expect(
            machine.responseReceived(status: 500, retryAfter: nil, now: self.at(10))
                == .retry(after: .seconds(16), at: self.at(26))
        )
    }

    @Test func rowClaimedAgainAfterItsLastAttemptDeadLetters() {
        // Five attempts recorded under an earlier, larger maximum; the policy now allows five.
        var machine = DeliveryStateMachine(
            policy: self.policy,
            createdAt: self.created,
            attemptsMade: 5,
            retryAt: nil,
            jitter: .fixed(1)
        )
        #expect(machine.attemptStarted(now: self.at(10)) == .deadLetter(.attemptsExhausted(attempts: 5, last: nil)))
        #expect(machine.attemptsMade == 5)
    }

    @Test func deadLetterReasonsBecomeErrorIssues() {
        let reasons: [DeadLetterReason] = [
            .rejected(status: 400), .undeliverable(.invalidRequest),
            .attemptsExhausted(attempts: 3, last: .status(503)), .expired(last: nil), .consentRevoked,
            .partnerNotConfigured,
        ]
        for reason in reasons {
            #expect(reason.issue.isError)
            #expect(!reason.description.isEmpty)
        }
        #expect(DeadLetterReason.consentRevoked.issue.code == .suppressed)
    }
}
