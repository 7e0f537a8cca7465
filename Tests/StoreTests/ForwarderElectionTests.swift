import Foundation
import Synchronization
import Testing

@testable import Store

/// The forwarder's election on PostgreSQL, between two stores on one database as two replicas hold them:
/// one at a time is elected, the other's announcements reach it, and when it stops the other takes over.
@Suite struct ForwarderElectionTests {
    /// What one campaign heard, in order.
    final class Heard: Sendable {
        private let events = Mutex<[ForwarderElectionEvent]>([])

        func append(_ event: ForwarderElectionEvent) { self.events.withLock { $0.append(event) } }

        var all: [ForwarderElectionEvent] { self.events.withLock { $0 } }

        /// Waits until `condition` holds of what was heard, at most ten seconds.
        func wait(_ condition: ([ForwarderElectionEvent]) -> Bool) async throws {
            let deadline = ContinuousClock.now + .seconds(10)
            while !condition(self.all), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        }
    }

    @Test func oneReplicaForwardsHearsTheOtherAndIsFollowedWhenItStops() async throws {
        try await ReplicaTests.withReplicas { first, second in
            let firstElection = try #require(first.forwarderElection)
            let secondElection = try #require(second.forwarderElection)
            let firstHeard = Heard()
            let secondHeard = Heard()
            let firstCampaign = Task {
                await firstElection.campaign(every: .milliseconds(50)) { firstHeard.append($0) }
            }
            try await firstHeard.wait { $0 == [.elected] }
            #expect(firstHeard.all == [.elected])

            let secondCampaign = Task {
                await secondElection.campaign(every: .milliseconds(50)) { secondHeard.append($0) }
            }
            defer { secondCampaign.cancel() }
            // Several tries of the second fail while the first holds the lock.
            try await Task.sleep(for: .milliseconds(400))
            #expect(secondHeard.all == [])

            try await secondElection.announcePlanned()
            try await firstHeard.wait { $0.contains(.announced) }
            #expect(firstHeard.all == [.elected, .announced])

            firstCampaign.cancel()
            await firstCampaign.value
            #expect(firstHeard.all.last == .deposed)
            try await secondHeard.wait { $0 == [.elected] }
            #expect(secondHeard.all == [.elected])
            secondCampaign.cancel()
            await secondCampaign.value
            #expect(secondHeard.all == [.elected, .deposed])
        }
    }

    @Test func aSQLiteStoreHasNoElection() async throws {
        try await withRunningStore(.sqlite) { store in
            #expect(store.forwarderElection == nil)
        }
    }
}
