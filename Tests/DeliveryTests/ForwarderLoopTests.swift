import Foundation
import Store
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
        loop.attempted(Forwarder.Run.Result())
        #expect(loop.claimToStart() == nil, "one free place is less than the batch")
        loop.attempted(Forwarder.Run.Result())
        #expect(loop.nextAttempt() != nil && loop.nextAttempt() != nil)
        #expect(loop.claimToStart() == 2)
    }

    @Test func anExhaustedClaimWaitsForARecordedOutcomeOrATick() {
        var loop = Forwarder.Loop(configuration: self.configuration)
        let limit = loop.claimToStart()
        loop.claimed(self.rows(1), asked: limit ?? 0)
        #expect(loop.nextAttempt() != nil)
        #expect(loop.claimToStart() == nil, "nothing more was due")
        loop.attempted(Forwarder.Run.Result())
        #expect(loop.claimToStart() == nil, "a finished request alone changes nothing in the queue")
        loop.recorded(runs: loop.recordingToStart()?.runs ?? 0)
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
        for _ in 0..<4 { loop.attempted(Forwarder.Run.Result()) }
        loop.ticked()
        #expect(loop.claimToStart() == nil, "four outcomes unrecorded with four slots")
        loop.recorded(runs: loop.recordingToStart()?.runs ?? 0)
        #expect(loop.claimToStart() == 16)
    }

    @Test func runsFinishedDuringARecordingAreRecordedTogetherNext() {
        var loop = Forwarder.Loop(configuration: self.configuration)
        let runs = self.rows(4)
        loop.claimed(runs, asked: loop.claimToStart() ?? 0)
        while loop.nextAttempt() != nil {}
        func result(_ run: Forwarder.Run) -> Forwarder.Run.Result {
            Forwarder.Run.Result(outcomes: [], unattempted: run.rows)
        }
        #expect(loop.recordingToStart() == nil, "nothing finished")
        loop.attempted(result(runs[0]))
        let first = loop.recordingToStart()
        #expect(first?.runs == 1)
        #expect(first?.result.unattempted.map(\.entry.delivery.id) == runs[0].rows.map(\.entry.delivery.id))
        loop.attempted(result(runs[1]))
        loop.attempted(result(runs[2]))
        #expect(loop.recordingToStart() == nil, "one recording at a time")
        loop.recorded(runs: 1)
        let next = loop.recordingToStart()
        #expect(next?.runs == 2)
        #expect(
            next?.result.unattempted.map(\.entry.delivery.id)
                == (runs[1].rows + runs[2].rows).map(\.entry.delivery.id)
        )
        loop.recorded(runs: 2)
        #expect(loop.recording == 0)
        #expect(loop.recordingToStart() == nil)
    }
}
