import CoManagement
import Foundation
import Testing

@testable import Store

/// Claims with runs: each backend follows each head with the due rows after it in its stream, leased with
/// it; rows given back are claimable again at once, guarded by their lease token.
@Suite struct OutboxRunTests {
    static func at(_ milliseconds: Int64) -> Date { Date(storeMilliseconds: milliseconds) }

    @Test(arguments: Backend.allCases) func aHeadComesWithTheRowsAfterItInOrderAndTheStreamStaysLeased(
        _ backend: Backend
    ) async throws {
        try await withRunningStore(backend) { store in
            for number in 1...5 { try await RawSQL.insertOutboxRow("a", "ep-1", number, into: store) }
            try await RawSQL.insertOutboxRow("b", "ep-1", 1, into: store)
            // Not due yet: a run stops before it.
            for number in 1...3 { try await RawSQL.insertOutboxRow("a", "ep-2", number, into: store) }
            _ = try await RawSQL.rows(
                "UPDATE outbox SET next_attempt_at = 9000 WHERE delivery_id = 'a-ep-2-2'",
                in: store
            )

            let claimed = try await store.claimOutbox(limit: 10, run: 3, now: Self.at(2000), lease: .seconds(30))
            #expect(claimed.map(\.entry.delivery.id) == ["a-ep-1-1", "a-ep-1-2", "a-ep-1-3", "b-ep-1-1", "a-ep-2-1"])
            #expect(claimed.allSatisfy { $0.parties == nil })
            #expect(try await store.claimOutbox(limit: 10, run: 3, now: Self.at(2100), lease: .seconds(30)).isEmpty)

            // The first two are delivered; the third is given back, so the stream goes on from it.
            for row in claimed.prefix(2) {
                #expect(
                    try await store.completeOutbox(
                        row.lease,
                        attempt: nil,
                        resolution: .delivered,
                        audit: nil
                    )
                )
            }
            try await store.releaseOutbox([
                claimed[2].lease, OutboxLease(id: claimed[3].lease.id, token: "someone else's"),
            ])
            let next = try await store.claimOutbox(limit: 10, run: 3, now: Self.at(2200), lease: .seconds(30))
            #expect(next.map(\.entry.delivery.id) == ["a-ep-1-3", "a-ep-1-4", "a-ep-1-5"])
            #expect(next.first?.entry.attemptsMade == 0, "giving back counts no attempt")
        }
    }

    @Test(arguments: Backend.allCases) func withoutARunEachStreamGivesItsHeadAndAReleasedHeadComesBackAtOnce(
        _ backend: Backend
    ) async throws {
        try await withRunningStore(backend) { store in
            for number in 1...3 { try await RawSQL.insertOutboxRow("a", "ep-1", number, into: store) }
            let claimed = try await store.claimOutbox(limit: 10, run: 1, now: Self.at(2000), lease: .seconds(30))
            #expect(claimed.map(\.entry.delivery.id) == ["a-ep-1-1"])
            try await store.releaseOutbox(claimed.map(\.lease))
            let again = try await store.claimOutbox(limit: 10, now: Self.at(2010), lease: .seconds(30))
            #expect(again.map(\.entry.delivery.id) == ["a-ep-1-1"])
            #expect(again.first?.entry.attemptsMade == 0)
        }
    }

    @Test(arguments: Backend.allCases) func aRunsOutcomesAndItsReleaseAreRecordedTogether(
        _ backend: Backend
    ) async throws {
        try await withRunningStore(backend) { store in
            for number in 1...3 { try await RawSQL.insertOutboxRow("a", "ep-1", number, into: store) }
            let head = try #require(
                try await store.claimOutbox(limit: 1, now: Self.at(2000), lease: .seconds(30)).first
            )
            try await store.completeOutbox(
                [OutboxCompletion(lease: head.lease, attempt: nil, resolution: .delivered, audit: nil)],
                releasing: []
            )
            let run = try await store.claimOutbox(limit: 1, run: 2, now: Self.at(2010), lease: .seconds(30))
            #expect(run.map(\.entry.delivery.id) == ["a-ep-1-2", "a-ep-1-3"])
            try await store.completeOutbox(
                [
                    OutboxCompletion(
                        lease: run[0].lease,
                        attempt: nil,
                        resolution: .retry(at: Self.at(2500)),
                        audit: nil
                    )
                ],
                releasing: run.dropFirst().map(\.lease)
            )
            let states = try await RawSQL.rows("SELECT delivery_id, state FROM outbox ORDER BY id", in: store)
            #expect(states == [["a-ep-1-1", "delivered"], ["a-ep-1-2", "pending"], ["a-ep-1-3", "pending"]])
            #expect(
                try await store.claimOutbox(limit: 1, now: Self.at(2100), lease: .seconds(30)).isEmpty,
                "the head waits for its retry"
            )
        }
    }
}
