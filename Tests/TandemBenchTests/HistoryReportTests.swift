import Foundation
import Testing

@testable import TandemBench

/// The history benchmark's figures: medians of the first and last referrals, and the targets it checks.
@Suite struct HistoryReportTests {
    private static func report(onePatient: [Double], ingested: Int = 100_000, ready: Double = 2.5) -> HistoryReport {
        let restart = HistoryProbe.Restart(
            secondsToReady: ready,
            residentAtReady: 200_000_000,
            peakAtReady: 250_000_000,
            residentAfterWarmUp: 210_000_000,
            measuresSeconds: 1.25
        )
        return HistoryReport(
            result: HistoryProbe.Result(
                empty: restart,
                ingested: ingested,
                failed: 0,
                ingestSeconds: 50,
                residentAfterIngest: 400_000_000,
                peakAfterIngest: 450_000_000,
                stopSeconds: 0.5,
                full: restart,
                onePatient: onePatient,
                manyPatients: Array(repeating: 1, count: onePatient.count)
            ),
            probe: HistoryProbe(
                executable: URL(fileURLWithPath: "/bin/true"),
                mappings: "Mappings",
                episodes: ingested,
                connections: 32,
                referrals: onePatient.count,
                warmUp: 20
            ),
            compare: 3
        )
    }

    @Test func mediansTakeTheMiddleOrTheMeanOfTheTwoMiddleValues() {
        #expect(HistoryReport.median([3, 1, 2]) == 2)
        #expect(HistoryReport.median([4, 1, 3, 2]) == 2.5)
        #expect(HistoryReport.median([Double]()) == 0)
    }

    @Test func theFirstAndLastReferralsAreComparedByTheirMedians() {
        let report = Self.report(onePatient: [1, 2, 3, 9, 9, 9, 4, 6, 5])
        let figures = report.firstAndLast(report.result.onePatient)
        #expect(figures.first == 2)
        #expect(figures.last == 5)
    }

    @Test func aSeriesThatSlowsPastTwiceItsStartMissesTheTarget() {
        let slowing = Self.report(onePatient: [1, 1, 1, 5, 5, 5, 2.5, 2.5, 2.5]).render()
        #expect(slowing.contains("last ≤ 2× first MISSED"))
        #expect(slowing.contains("ready ≤ 3 s met"))
        let steady = Self.report(onePatient: [1, 1, 1, 5, 5, 5, 2, 2, 2]).render()
        #expect(steady.contains("last ≤ 2× first met"))
        #expect(steady.contains("GET /measures s") && steady.contains("1.25"))
    }

    @Test func aShortRunSaysTheTargetsAreSetForAHundredThousandEpisodes() {
        let short = Self.report(onePatient: [1, 1, 1], ingested: 2_000).render()
        #expect(short.contains("this run had 2000"))
        #expect(!Self.report(onePatient: [1, 1, 1]).render().contains("this run had"))
    }
}
