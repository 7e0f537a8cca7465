import CoManagement
import FHIRCore
import Testing

@Suite struct DueTimeTests {
    @Test func hoursKeepTheTriggersOffset() {
        #expect(DueTime.adding(hours: 48, to: "2026-03-02T10:30:00-05:00") == "2026-03-04T10:30:00-05:00")
        #expect(DueTime.adding(hours: 4, to: "2026-01-17T23:40:00Z") == "2026-01-18T03:40:00Z")
        #expect(DueTime.adding(hours: 4, to: "not a date") == nil)
    }

    @Test func daysEndAtLocalMidnightInTheNamedZone() {
        // 11 March 2026 in New York is daylight time (-04:00, since 8 March): two days end at 14 March, 00:00.
        #expect(
            DueTime.endOfDay(days: 2, after: "2026-03-11", zone: "America/New_York", fallbackOffset: nil)
                == "2026-03-14T00:00:00-04:00"
        )
        // Across the change: 6 March is standard time, 9 March daylight.
        #expect(
            DueTime.endOfDay(days: 2, after: "2026-03-06T22:00:00-05:00", zone: "America/New_York", fallbackOffset: nil)
                == "2026-03-09T00:00:00-04:00"
        )
        // 23:30 in New York is already the next day in UTC: the local date counts.
        #expect(
            DueTime.endOfDay(days: 1, after: "2026-01-19T04:30:00Z", zone: "America/New_York", fallbackOffset: nil)
                == "2026-01-20T00:00:00-05:00"
        )
    }

    @Test func daysDefaultToTheSendersOffset() {
        #expect(
            DueTime.endOfDay(days: 1, after: "2026-01-19T08:00:00-05:00", zone: nil, fallbackOffset: nil)
                == "2026-01-21T00:00:00-05:00"
        )
        #expect(
            DueTime.endOfDay(days: 7, after: "2026-04-13", zone: nil, fallbackOffset: -4 * 3600)
                == "2026-04-21T00:00:00-04:00"
        )
        #expect(
            DueTime.endOfDay(days: 7, after: "2026-04-13", zone: nil, fallbackOffset: nil) == "2026-04-21T00:00:00Z"
        )
    }
}
