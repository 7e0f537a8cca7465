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

    /// Heads only (runs of one row): recording a head's outcome may make its stream's next row due.
    @Test func anExhaustedClaimWaitsForARecordedOutcomeOrATick() throws {
        var loop = Forwarder.Loop(configuration: Forwarder.Configuration(concurrency: 4, claimBatch: 2, run: 1))
        let limit = loop.claimToStart()
        loop.claimed(self.rows(1), asked: limit ?? 0)
        let nextRun = loop.nextAttempt()
        let run = try #require(nextRun)
        #expect(loop.claimToStart() == nil, "nothing more was due")
        loop.attempted(Self.delivered(run))
        #expect(loop.claimToStart() == nil, "a finished request alone changes nothing in the queue")
        loop.recorded(runs: loop.recordingToStart()?.runs ?? 0)
        #expect(loop.claimToStart() == 16, "its stream's next row may be due now")
        loop.claimed([], asked: 16)
        #expect(loop.claimToStart() == nil)
        loop.ticked()
        #expect(loop.claimToStart() == 16)
    }

    /// A run shorter than the longest a claim gives took every due row of its stream: recording it frees
    /// nothing, so no claim follows until a tick; a run that gave rows back, or a full one, frees some.
    @Test func aRecordedRunClaimsAgainOnlyIfItMayHaveLeftRows() throws {
        let configuration = Forwarder.Configuration(concurrency: 4, claimBatch: 2, run: 2)
        var loop = Forwarder.Loop(configuration: configuration)
        loop.claimed(self.rows(1), asked: loop.claimToStart() ?? 0)
        let nextShort = loop.nextAttempt()
        let short = try #require(nextShort)
        loop.attempted(Self.delivered(short))
        loop.recorded(runs: loop.recordingToStart()?.runs ?? 0)
        #expect(loop.claimToStart() == nil, "the run of one row took its stream's every due row")
        loop.ticked()
        let full = Forwarder.Run.runs(
            of: ForwarderTests.rows(partner: "a", episode: "e", count: 2),
            claimedAt: Date(),
            lease: .seconds(60)
        )
        loop.claimed(full, asked: loop.claimToStart() ?? 0)
        let nextRun = loop.nextAttempt()
        let run = try #require(nextRun)
        loop.attempted(Self.delivered(run))
        loop.recorded(runs: loop.recordingToStart()?.runs ?? 0)
        #expect(loop.claimToStart() == 16, "a full run: its stream may hold more")
        loop.claimed(self.rows(1), asked: 16)
        let nextStopped = loop.nextAttempt()
        let stopped = try #require(nextStopped)
        loop.attempted(Forwarder.Run.Result(outcomes: [], unattempted: stopped.rows))
        loop.recorded(runs: loop.recordingToStart()?.runs ?? 0)
        #expect(loop.claimToStart() == 16, "rows given back are claimable again")
    }

    /// Every row of `run` delivered.
    static func delivered(_ run: Forwarder.Run) -> Forwarder.Run.Result {
        Forwarder.Run.Result(
            outcomes: run.rows.map { ($0, DeliveryOutcome(action: .markDelivered, attempt: nil, refusal: nil)) },
            unattempted: []
        )
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
