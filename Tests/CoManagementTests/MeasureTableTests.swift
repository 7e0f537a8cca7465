import CoManagement
import FHIRCore
import Testing

/// The measures of the five shipped scenarios, evaluated at their `evaluateAt`, against figures worked out
/// by hand from the messages (times converted to UTC; a bare date is midnight UTC, due by its day's end).
@Suite struct MeasureTableTests {
    static let normaliser = Normaliser(mappings: try! MappingFixtures.shipped())

    /// Per service line: referral turnaround hours, handoff acknowledgement hours (nil: none acknowledged),
    /// reports on time / late / overdue, overdue activities, and the status.
    struct Expected: Sendable, CustomStringConvertible {
        var line: String
        var turnaround: Double
        var acknowledgement: Double?
        var onTime: Int
        var late: Int
        var overdue: Int
        var overdueActivities: Int
        var description: String { self.line }
    }

    static let expected: [Expected] = [
        // 2026-01-12T11:05-05:00 → 2026-01-13T15:40-05:00: 28 h 35 min. Treatment summary returned
        // 2026-04-24T17:30Z, due 2026-04-27. The week-8 case review (due 2026-03-13) is open.
        Expected(
            line: "behavioral-health.integrated",
            turnaround: 28 + 35.0 / 60,
            acknowledgement: nil,
            onTime: 1,
            late: 0,
            overdue: 0,
            overdueActivities: 1
        ),
        // 19:30 → 21:10 (-04:00): 1 h 40 min. Procedure report due 2026-05-09, not returned by 05-22.
        Expected(
            line: "cardiology.service-line",
            turnaround: 100.0 / 60,
            acknowledgement: nil,
            onTime: 0,
            late: 0,
            overdue: 1,
            overdueActivities: 1
        ),
        // 2026-02-09T14:20-05:00 → 2026-02-11T10:02-05:00: 43 h 42 min. Consult note due 2026-04-13, missing.
        Expected(
            line: "endocrinology.diabetes",
            turnaround: 43.7,
            acknowledgement: nil,
            onTime: 0,
            late: 0,
            overdue: 1,
            overdueActivities: 1
        ),
        // 10:30 → next day 09:14 (-05:00): 22 h 44 min. Handoff effective 2026-03-11 (00:00Z), acknowledged
        // 2026-03-11T14:05-04:00 = 18:05Z: 18 h 5 min. Report returned 2026-04-08, due 2026-04-10.
        Expected(
            line: "ophthalmology.cataract",
            turnaround: 22 + 44.0 / 60,
            acknowledgement: 18 + 5.0 / 60,
            onTime: 1,
            late: 0,
            overdue: 0,
            overdueActivities: 1
        ),
        // 23:40 → 01:15 (-05:00): 1 h 35 min. Handoff 2026-01-19T08:00, acknowledged 10:30: 2.5 h. Discharge
        // summary returned 2026-01-23T16:45, due 2026-01-26T08:00.
        Expected(
            line: "orthopedics.hip-fracture",
            turnaround: 1 + 35.0 / 60,
            acknowledgement: 2.5,
            onTime: 1,
            late: 0,
            overdue: 0,
            overdueActivities: 1
        ),
    ]

    static func evaluatedEpisodes() -> [Episode] {
        SampleScenario.all().flatMap { $0.run(Self.normaliser).book.sortedEpisodes }
    }

    @Test(arguments: Self.expected)
    func eachScenarioMeasuresAsComputedByHand(_ expected: Expected) throws {
        let rows = MeasureTable.rows(
            of: Self.evaluatedEpisodes(),
            partners: [],
            query: MeasureQuery(serviceLine: expected.line)
        )
        let row = try #require(rows.first)
        #expect(rows.count == 1)
        #expect(row.episodes == 1)
        #expect(row.episodesByStatus == ["handed-off": 1])
        #expect(row.referralTurnaround.count == 1)
        #expect(abs((row.referralTurnaround.p50 ?? -1) - expected.turnaround) < 0.001)
        #expect(row.referralTurnaround.p90 == row.referralTurnaround.p50)
        #expect(row.referralTurnaround.max == row.referralTurnaround.p50)
        if let acknowledgement = expected.acknowledgement {
            #expect(abs((row.handoffAcknowledgement.p50 ?? -1) - acknowledgement) < 0.001)
        } else {
            #expect(row.handoffAcknowledgement.count == 0 && row.handoffAcknowledgement.p50 == nil)
        }
        #expect(row.reportTimeliness.onTime == expected.onTime)
        #expect(row.reportTimeliness.late == expected.late)
        #expect(row.reportTimeliness.overdue == expected.overdue)
        #expect(row.reportTimeliness.pending == 0)
        #expect(row.openOverdue.activities == expected.overdueActivities)
        #expect(row.openOverdue.reports == expected.overdue)
        #expect(row.openOverdue.referrals == 0)
    }

    @Test func partnersGetTheRowsOfTheEpisodesTheyTakePartIn() {
        let optometrist = MeasureAudience(
            id: "quarry-lane",
            represents: ["http://regional-hie.example.org/fhir/sid/provider-directory|PD-5582190"],
            serviceLines: []
        )
        let watcher = MeasureAudience(id: "hie", represents: [], serviceLines: ["cardiology.service-line"])
        let rows = MeasureTable.rows(
            of: Self.evaluatedEpisodes(),
            partners: [optometrist, watcher],
            query: MeasureQuery()
        )
        #expect(rows.map(\.serviceLine).count == 7)
        #expect(rows.filter { $0.partner == "quarry-lane" }.map(\.serviceLine) == ["ophthalmology.cataract"])
        #expect(rows.filter { $0.partner == "hie" }.map(\.serviceLine) == ["cardiology.service-line"])
        let only = MeasureTable.rows(
            of: Self.evaluatedEpisodes(),
            partners: [optometrist, watcher],
            query: MeasureQuery(partner: "hie")
        )
        #expect(only.map(\.partner) == ["hie"])
    }

    /// The facts kept beside an episode cover a partner exactly when the episode does: for an audience
    /// representing each name every participant of the scenarios goes by, and for names none does.
    @Test func factsCoverThePartnersTheirEpisodeCovers() throws {
        let episodes = Self.evaluatedEpisodes()
        var names: Set<String> = ["Organization/nobody", "urn:oid:1.2.3|none"]
        for participant in episodes.flatMap(\.participants) {
            // Spelled out here rather than through `Participant.names`, which both sides share.
            names.insert(participant.key)
            if let reference = participant.party.reference { names.insert(reference) }
            for identifier in participant.party.identifiers { names.insert(identifier.token) }
        }
        #expect(names.count > 10)
        var covered = 0
        for episode in episodes {
            let facts = MeasureFacts(episode)
            for name in names.sorted() {
                let audience = MeasureAudience(id: "p", represents: [name], serviceLines: [])
                #expect(facts.isCovered(by: audience) == audience.covers(episode), "\(episode.serviceLine) \(name)")
                if audience.covers(episode) { covered += 1 }
            }
            let watcher = MeasureAudience(id: "w", represents: [], serviceLines: [episode.serviceLine])
            #expect(facts.isCovered(by: watcher) && watcher.covers(episode))
        }
        #expect(covered > 0)
    }

    @Test func aPeriodSelectsEpisodesByWhenTheyOpened() throws {
        let query = MeasureQuery(from: FHIRInstant("2026-02-01"), to: FHIRInstant("2026-04-01"))
        let rows = MeasureTable.rows(of: Self.evaluatedEpisodes(), partners: [], query: query)
        // Diabetes (9 February) and cataract (2 March) opened in the period; the others before or after.
        #expect(rows.map(\.serviceLine) == ["endocrinology.diabetes", "ophthalmology.cataract"])
    }

    @Test func percentilesAreNearestRank() {
        let distribution = Distribution([5, 1, 4, 2, 3, 10, 9, 8, 7, 6])
        #expect(distribution.count == 10)
        #expect(distribution.p50 == 5)
        #expect(distribution.p90 == 9)
        #expect(distribution.max == 10)
        #expect(Distribution([]).p50 == nil)
        #expect(Distribution([2.5]).p90 == 2.5)
    }
}
