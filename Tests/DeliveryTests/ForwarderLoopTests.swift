import Foundation
import Testing

@testable import Delivery

/// When the forwarder claims: well ahead of its slots, one claim at a time, never while outcomes pile up, and
/// after an exhausted claim only once something may have changed.
@Suite struct ForwarderLoopTests {
    let configuration = Forwarder.Configuration(concurrency: 4, claimBatch: 2)

    func rows(_ count: Int) -> [Forwarder.Run] {
        Forwarder.Run.runs(
            of: (0..<count).flatMap { ForwarderTests.rows(partner: "a", episode: "e\($0)", count: 1) },
            claimedAt: Date(),
            lease: .seconds(60)
        )
    }

    @Test func claimsThreeTimesAsManyRunsAheadAsThereAreSlots() {
        var loop = Forwarder.Loop(configuration: self.configuration)
        #expect(loop.claimToStart() == 16)
        #expect(loop.claimToStart() == nil, "one claim at a time")
        loop.claimed(self.rows(16), asked: 16)
        var started = 0
        while loop.nextAttempt() != nil { started += 1 }
        #expect(started == 4, "no more attempts than slots")
        #expect(loop.ready.count == 12)
        #expect(loop.claimToStart() == nil, "no room until a request finishes")
        loop.attempted()
        #expect(loop.claimToStart() == nil, "one free place is less than the batch")
        loop.attempted()
        #expect(loop.nextAttempt() != nil && loop.nextAttempt() != nil)
        #expect(loop.claimToStart() == 2)
    }

    @Test func anExhaustedClaimWaitsForARecordedOutcomeOrATick() {
        var loop = Forwarder.Loop(configuration: self.configuration)
        let limit = loop.claimToStart()
        loop.claimed(self.rows(1), asked: limit ?? 0)
        #expect(loop.nextAttempt() != nil)
        #expect(loop.claimToStart() == nil, "nothing more was due")
        loop.attempted()
        #expect(loop.claimToStart() == nil, "a finished request alone changes nothing in the queue")
        loop.recorded()
        #expect(loop.claimToStart() == 16, "its stream's next row may be due now")
        loop.claimed([], asked: 16)
        #expect(loop.claimToStart() == nil)
        loop.ticked()
        #expect(loop.claimToStart() == 16)
    }

    @Test func outcomesWaitingToBeRecordedStopClaims() {
        var loop = Forwarder.Loop(configuration: self.configuration)
        loop.claimed(self.rows(4), asked: loop.claimToStart() ?? 0)
        while loop.nextAttempt() != nil {}
        for _ in 0..<4 { loop.attempted() }
        loop.ticked()
        #expect(loop.claimToStart() == nil, "four outcomes unrecorded with four slots")
        loop.recorded()
        #expect(loop.claimToStart() == 16)
    }
}
