import Delivery
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 5's crash test: under steady load `tandem serve` is killed with SIGKILL part-way, restarted on the
/// same database, and the load finishes. Then, at the one `tandem sink` that ran throughout:
///
/// 1. every timeline event of every episode the load touched, and so every acknowledged message's events,
///    arrived under its deterministic delivery id (`DeliveryID.make(partner, episode, event)`);
/// 2. a duplicate (a delivery sent before the kill whose outcome was never recorded) carries the same
///    delivery id: no event number arrived under two ids, and the subscription's numbers (across all its
///    episodes) follow each episode's timeline;
/// 3. order per episode holds: taking, for each event number, the moment it was *first* accepted, those
///    moments increase with the event number — no event arrived for the first time before a smaller one
///    of its episode did. (A repeat of an earlier event may come later; that is a duplicate, not disorder.)
@Suite(.serialized) struct DeliveryCrashTests {
    typealias S = DeliveryScenario
    static let episodes = 16
    /// Posts per episode: the referral, then status changes, one event each.
    static let messages = 8
    /// Kill once this many messages are acknowledged (of episodes × messages).
    static let killAfter = 50

    @Test func everyAcknowledgedMessageReachesThePartnerInOrderAcrossKillNine() async throws {
        let sink = try SinkProcess(["--secret", S.secret])
        let partner = S.partner("crash", sink.url, timeout: "1s")
        // A short lease, so the rows leased when the gateway died come back soon after the restart.
        let delivery: [String: Any] = ["lease": "2s", "pollInterval": "50ms"]
        let first = try await S.gateway([partner], delivery: delivery)
        let pid = first.process.processIdentifier
        let log = CrashLoadLog()

        // Phase 1: every episode's posts in order, all episodes at once, until the kill stops them.
        let base = first.baseURL
        await Self.load(base, log: log, from: Array(repeating: 0, count: Self.episodes)) {
            if log.acknowledgedCount >= Self.killAfter, log.claimKill() { kill(pid, SIGKILL) }
        }
        first.process.waitUntilExit()
        #expect(first.process.terminationReason == .uncaughtSignal, "the gateway was killed, not stopped")
        let beforeKill = log.acknowledgedCount
        #expect(beforeKill >= Self.killAfter && beforeKill < Self.episodes * Self.messages, "killed mid-load")

        // Phase 2: the same database, the rest of each episode's posts (the one cut off is sent again).
        let second = try await ServerProcess.start(
            in: first.directory,
            config: first.directory.appendingPathComponent("tandem.json")
        )
        defer { second.stop() }
        await Self.load(second.baseURL, log: log, from: log.nextPostPerEpisode(Self.episodes)) {}
        #expect(log.acknowledgedCount >= Self.episodes * Self.messages - Self.episodes)

        // What must arrive: every timeline event of the load's episodes, under its deterministic id.
        let episodes = try await S.episodes(second.baseURL).filter { episode in
            (episode["referrals"] as? [[String: Any]])?.contains { ($0["key"] as? String)?.contains("CRASH-") == true }
                == true
        }
        var expected: [String: (episode: String, event: Int)] = [:]
        var sourceEvents: [String: [String]] = [:]  // versioned reference → delivery ids
        for episode in episodes {
            let id = episode["id"] as? String ?? ""
            for event in episode["timeline"] as? [[String: Any]] ?? [] {
                let number = event["number"] as? Int ?? 0
                let delivery = DeliveryID.make(partnerID: "crash", episodeID: id, timelineEvent: number)
                expected[delivery] = (id, number)
                sourceEvents[event["source"] as? String ?? "", default: []].append(delivery)
            }
        }
        #expect(episodes.count == Self.episodes)
        let lines = sink.stop(timeout: .seconds(40)) { lines in
            Set(lines.compactMap(S.SinkLine.init).filter(\.accepted).map(\.delivery)).isSuperset(of: expected.keys)
        }.compactMap(S.SinkLine.init)
        let accepted = lines.filter(\.accepted)
        let received = Set(accepted.map(\.delivery))

        // 1. Every acknowledged message's events, and every planned event, arrived.
        let missingAcknowledged = log.acknowledged.filter { reference in
            guard let deliveries = sourceEvents[reference], !deliveries.isEmpty else { return true }
            return !received.isSuperset(of: deliveries)
        }
        #expect(missingAcknowledged.isEmpty, "acknowledged, never delivered: \(missingAcknowledged.sorted())")
        let missing = Set(expected.keys).subtracting(received)
        #expect(missing.isEmpty, "planned, never delivered: \(missing.map { expected[$0]! })")
        // 2. One delivery id per (episode, event), and it is the deterministic one.
        let idsPerEvent = Dictionary(grouping: accepted, by: { "\($0.episode)#\($0.event)" }).mapValues {
            Set($0.map(\.delivery))
        }
        #expect(idsPerEvent.values.allSatisfy { $0.count == 1 }, "\(idsPerEvent.filter { $0.value.count > 1 })")
        #expect(accepted.allSatisfy { line in expected[line.delivery].map { $0.episode == line.episode } == true })
        // Within an episode, the subscription's numbers follow the timeline's.
        for lines in Dictionary(grouping: accepted, by: \.episode).values {
            let timeline = lines.sorted { $0.event < $1.event }.compactMap { expected[$0.delivery]?.event }
            #expect(timeline == timeline.sorted(), "\(timeline)")
        }
        // 3. First arrivals per episode in increasing event order; the subscription's numbers, across all
        // episodes, with nothing missing in between (SQLite draws them in the ingest transaction).
        let arrivals = S.firstArrivals(accepted)
        for (episode, order) in arrivals {
            #expect(order == order.sorted(), "episode \(episode) first arrivals: \(order)")
        }
        let numbers = arrivals.values.flatMap { $0 }
        #expect(numbers.sorted() == Array(1...max(1, numbers.count)), "numbers: \(numbers.sorted())")
        #expect(!accepted.contains { $0.verdict.hasPrefix("late") })
        let duplicates = accepted.filter { $0.verdict.hasPrefix("duplicate") }.count
        print(
            "crash test: \(beforeKill) acknowledged before the kill, \(accepted.count) accepted, \(duplicates) duplicates"
        )
    }

    /// Posts, per episode and in order, messages `from[episode]`..<``messages``, all episodes concurrently;
    /// an episode stops at its first failure (the gateway died). `afterEach` runs after each acknowledgement.
    static func load(
        _ base: URL,
        log: CrashLoadLog,
        from next: [Int],
        afterEach: @escaping @Sendable () -> Void
    ) async {
        await withTaskGroup(of: Void.self) { group in
            for episode in 0..<Self.episodes {
                group.addTask {
                    for message in next[episode]..<Self.messages {
                        let status = message % 2 == 0 ? "active" : "on-hold"
                        let body = S.referral("CRASH-\(episode)", patient: "P-CRASH-\(episode)", status: status)
                        guard let reference = try? await S.post(base, body) else { return }
                        log.record(reference, episode: episode, message: message)
                        afterEach()
                    }
                }
            }
        }
    }
}

/// The load's acknowledgements and the one decision to kill.
final class CrashLoadLog: Sendable {
    private struct State {
        var acknowledged: [String] = []
        var lastAcknowledged: [Int: Int] = [:]
        var killed = false
    }

    private let state = Mutex(State())

    func record(_ reference: String, episode: Int, message: Int) {
        self.state.withLock {
            $0.acknowledged.append(reference)
            $0.lastAcknowledged[episode] = message
        }
    }

    /// True exactly once.
    func claimKill() -> Bool {
        self.state.withLock { state in
            defer { state.killed = true }
            return !state.killed
        }
    }

    var acknowledgedCount: Int { self.state.withLock { $0.acknowledged.count } }
    var acknowledged: [String] { self.state.withLock { $0.acknowledged } }

    /// Per episode, the first message not yet acknowledged.
    func nextPostPerEpisode(_ episodes: Int) -> [Int] {
        self.state.withLock { state in (0..<episodes).map { (state.lastAcknowledged[$0] ?? -1) + 1 } }
    }
}
