public import CoManagement
public import Store

/// What the measures page draws and lists: from episodes, each one's referral turnaround (request to
/// acceptance) at the time its referral was requested and each hand-off's acknowledgement time at the time
/// it took effect; from episodes' measure facts, those with overdue items.
public enum MeasureSeries {
    public struct Point: Sendable, Hashable {
        /// Seconds since 1970: when the referral was requested, or the hand-off took effect.
        public var at: Double
        public var hours: Double
        public var episodeID: String
        public var serviceLine: String

        public init(at: Double, hours: Double, episodeID: String, serviceLine: String) {
            self.at = at
            self.hours = hours
            self.episodeID = episodeID
            self.serviceLine = serviceLine
        }
    }

    /// One line of a chart.
    public struct Series: Sendable, Hashable {
        public var name: String
        public var points: [Point]

        public init(name: String, points: [Point]) {
            self.name = name
            self.points = points
        }
    }

    /// Referral turnaround: hours from the first referral's request to its acceptance
    /// (``CoManagement/Measures/hoursToAcknowledgement``), at its request, one series per service line.
    public static func turnaround(_ episodes: [Episode]) -> [Series] {
        Self.series(episodes) { episode in
            guard let hours = episode.measures.hoursToAcknowledgement,
                let requested = episode.referrals.compactMap({ $0.lifecycle.requestedAt.flatMap({ FHIRInstant($0) }) })
                    .min()
            else { return [] }
            return [(requested.secondsSinceEpoch, hours)]
        }
    }

    /// Hours from each hand-off taking effect to its first acknowledgement, at the hand-off, one series per
    /// service line.
    public static func acknowledgement(_ episodes: [Episode]) -> [Series] {
        Self.series(episodes) { episode in
            episode.handoffs.compactMap { handoff in
                guard let effective = handoff.effective.flatMap({ FHIRInstant($0) }),
                    let acknowledged = handoff.acknowledgements.compactMap({ $0.at.flatMap({ FHIRInstant($0) }) }).min()
                else { return nil }
                return (effective.secondsSinceEpoch, max(0, effective.hours(until: acknowledged)))
            }
        }
    }

    /// Episodes with an overdue activity or report, most overdue items first (then by id).
    public static func overdue(_ episodes: [EpisodeMeasureFacts]) -> [EpisodeMeasureFacts] {
        func items(_ record: EpisodeMeasureFacts) -> Int {
            record.facts.overdue.activities + record.facts.overdue.reports
        }
        return episodes.filter { items($0) > 0 }
            .sorted { (items($0), $1.episodeID) > (items($1), $0.episodeID) }
    }

    private static func series(_ episodes: [Episode], _ points: (Episode) -> [(Double, Double)]) -> [Series] {
        var byLine: [String: [Point]] = [:]
        for episode in episodes {
            for (at, hours) in points(episode) {
                byLine[episode.serviceLine, default: []].append(
                    Point(at: at, hours: hours, episodeID: episode.id, serviceLine: episode.serviceLine)
                )
            }
        }
        return byLine.keys.sorted().map { line in
            Series(
                name: line,
                points: byLine[line, default: []].sorted { ($0.at, $0.episodeID) < ($1.at, $1.episodeID) }
            )
        }
    }
}
