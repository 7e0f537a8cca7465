import CoManagement
import Foundation
import Testing

@testable import Store

/// Search on both backends: index tokens, prefixes, ids, time bounds, scopes, order and paging; deleted
/// resources drop out; the audit trail's search.
@Suite struct SearchStoreTests {
    static func message(_ writes: [ResourceWrite], sender: String, at: Date) -> IngestMessage {
        IngestMessage(
            received: ReceivedMessage(
                body: [],
                contentType: "application/fhir+json",
                sender: sender,
                correlationID: UUID().uuidString,
                receivedAt: at,
                interaction: "update"
            ),
            writes: writes
        )
    }

    static func write(_ id: String, tokens: [String]) -> ResourceWrite {
        ResourceWrite(
            type: "ServiceRequest",
            mode: .update(id: id, ifMatch: nil),
            content: Array(#"{"resourceType":"ServiceRequest","note":[{"text":"\#(id)"}]}"#.utf8),
            identifiers: ["urn:oid:1|\(id)"],
            searchTokens: tokens
        )
    }

    /// Five referrals a second apart: a1–a3 of sender a, b1–b2 of sender b.
    static func seed(_ store: any OutboxStore) async throws {
        let rows: [(String, String, [String])] = [
            ("a", "a1", ["status active", "subject Patient/p1", "name smith"]),
            ("a", "a2", ["status active", "subject Patient/p2"]),
            ("a", "a3", ["status completed", "subject Patient/p1", "name smithers"]),
            ("b", "b1", ["status active", "subject Patient/p1"]),
            ("b", "b2", ["status active", "name jones"]),
        ]
        for (index, (sender, id, tokens)) in rows.enumerated() {
            _ = try await store.ingest(
                Self.message(
                    [Self.write(id, tokens: tokens)],
                    sender: sender,
                    at: Date(timeIntervalSince1970: 1_000 + Double(index))
                )
            )
        }
    }

    static func ids(_ page: SearchPage) -> [String] { page.resources.map(\.id) }

    @Test(arguments: Backend.allCases)
    func tokensPrefixesIDsAndScopes(_ backend: Backend) async throws {
        try await withRunningStore(backend) { store in
            try await Self.seed(store)
            func search(_ query: ResourceQuery) async throws -> SearchPage { try await store.search(query) }
            let active = try await search(ResourceQuery(type: "ServiceRequest", tokens: [["status active"]]))
            #expect(active.total == 4)
            #expect(Self.ids(active) == ["a1", "a2", "b1", "b2"], "oldest first by default")
            let both = try await search(
                ResourceQuery(type: "ServiceRequest", tokens: [["status active"], ["subject Patient/p1"]])
            )
            #expect(Self.ids(both) == ["a1", "b1"], "each list must match")
            let either = try await search(
                ResourceQuery(type: "ServiceRequest", tokens: [["status completed", "name jones"]])
            )
            #expect(Self.ids(either) == ["a3", "b2"], "any value of one list may match")
            let prefix = try await search(ResourceQuery(type: "ServiceRequest", prefixes: [["name smith"]]))
            #expect(Self.ids(prefix) == ["a1", "a3"])
            let identifier = try await search(ResourceQuery(type: "ServiceRequest", tokens: [["urn:oid:1|b2"]]))
            #expect(Self.ids(identifier) == ["b2"], "identifier tokens and search tokens live side by side")
            let owned = try await search(
                ResourceQuery(type: "ServiceRequest", tokens: [["status active"]], scope: .owner("b"))
            )
            #expect(Self.ids(owned) == ["b1", "b2"])
            let byID = try await search(ResourceQuery(type: "ServiceRequest", ids: ["a2", "b1", "zz"]))
            #expect(Self.ids(byID) == ["a2", "b1"])
            let window = try await search(
                ResourceQuery(
                    type: "ServiceRequest",
                    updatedFrom: Date(timeIntervalSince1970: 1_001),
                    updatedBefore: Date(timeIntervalSince1970: 1_003)
                )
            )
            #expect(Self.ids(window) == ["a2", "a3"])
            #expect(try await search(ResourceQuery(type: "ServiceRequest", tokens: [[]])).total == 0)
            #expect(try await search(ResourceQuery(type: "Patient")).total == 0)
        }
    }

    @Test(arguments: Backend.allCases)
    func pagesFollowTheCursorInEitherOrderAndCountTheTotal(_ backend: Backend) async throws {
        try await withRunningStore(backend) { store in
            try await Self.seed(store)
            for order in [ResourceQuery.Order.oldestFirst, .newestFirst] {
                var query = ResourceQuery(type: "ServiceRequest", order: order, count: 2)
                var seen: [String] = []
                var pages = 0
                while true {
                    let page = try await store.search(query)
                    #expect(page.total == 5)
                    seen += Self.ids(page)
                    pages += 1
                    guard let next = page.next else { break }
                    query.after = next
                }
                #expect(pages == 3)
                let expected = ["a1", "a2", "a3", "b1", "b2"]
                #expect(seen == (order == .oldestFirst ? expected : expected.reversed()))
            }
            let countOnly = try await store.search(ResourceQuery(type: "ServiceRequest", count: 0))
            #expect(countOnly.total == 5 && countOnly.resources.isEmpty && countOnly.next == nil)
        }
    }

    @Test(arguments: Backend.allCases)
    func aDeletedResourceIsNeitherFoundNorMatched(_ backend: Backend) async throws {
        try await withRunningStore(backend) { store in
            try await Self.seed(store)
            let delete = ResourceWrite(type: "ServiceRequest", mode: .delete(id: "a1"), content: [])
            let result = try await store.ingest(
                Self.message([delete], sender: "a", at: Date(timeIntervalSince1970: 2_000))
            )
            let written = try #require(try result.successes().first)
            #expect(written.disposition == .deleted)
            #expect(written.resource.version == 2 && written.resource.isDeletion)
            #expect(try await store.read(type: "ServiceRequest", id: "a1")?.isDeletion == true)
            #expect(try await store.history(type: "ServiceRequest", id: "a1").map(\.isDeletion) == [true, false])
            #expect(try await store.search(ResourceQuery(type: "ServiceRequest", tokens: [["name smith"]])).total == 0)
            #expect(try await store.search(type: "ServiceRequest", identifier: "urn:oid:1|a1", owner: nil).isEmpty)
            // Deleting it again changes nothing; another sender may not.
            let again = try await store.ingest(
                Self.message([delete], sender: "a", at: Date(timeIntervalSince1970: 2_001))
            )
            #expect(try again.successes().first?.disposition == .unchanged)
            await #expect(throws: StoreError.self) {
                _ = try await store.ingest(
                    Self.message(
                        [ResourceWrite(type: "ServiceRequest", mode: .delete(id: "b1"), content: [])],
                        sender: "a",
                        at: Date()
                    )
                )
            }
            // Written again, it lives again.
            let back = try await store.ingest(
                Self.message(
                    [Self.write("a1", tokens: ["status active"])],
                    sender: "a",
                    at: Date(timeIntervalSince1970: 3_000)
                )
            )
            #expect(try back.successes().first?.resource.version == 3)
            #expect(try await store.search(ResourceQuery(type: "ServiceRequest", ids: ["a1"])).total == 1)
        }
    }

    @Test(arguments: Backend.allCases)
    func theEpisodeScopeIsTheEpisodesMembers(_ backend: Backend) async throws {
        try await withRunningStore(backend) { store in
            try await Self.seed(store)
            _ = try await RawSQL.rows(
                """
                INSERT INTO episode_member (episode_id, reference) VALUES ('ep-1', 'ServiceRequest/a2'),
                    ('ep-1', 'ServiceRequest/b1'), ('ep-2', 'ServiceRequest/b2')
                """,
                in: store
            )
            let one = try await store.search(ResourceQuery(type: "ServiceRequest", scope: .episodes(["ep-1"])))
            #expect(Self.ids(one) == ["a2", "b1"])
            let both = try await store.search(
                ResourceQuery(type: "ServiceRequest", scope: .episodes(["ep-1", "ep-2"]))
            )
            #expect(both.total == 3)
            #expect(try await store.search(ResourceQuery(type: "ServiceRequest", scope: .episodes([]))).total == 0)
        }
    }

    @Test(arguments: Backend.allCases)
    func theAuditTrailIsSearchedAndPaged(_ backend: Backend) async throws {
        try await withRunningStore(backend) { store in
            try await store.record([
                AuditEntry(
                    at: Date(timeIntervalSince1970: 10),
                    action: "read",
                    outcome: .success,
                    sender: "a",
                    resourceReference: "Patient/p1/_history/2"
                ),
                AuditEntry(
                    at: Date(timeIntervalSince1970: 20),
                    action: "search",
                    outcome: .minorFailure,
                    sender: "b",
                    resourceReference: "ServiceRequest",
                    patient: "Patient/p1"
                ),
                AuditEntry(
                    at: Date(timeIntervalSince1970: 30),
                    action: "delivery-attempt",
                    outcome: .seriousFailure,
                    sender: "eyecare",
                    resourceReference: "Episode/ep-1"
                ),
            ])
            let all = try await store.auditEvents(AuditQuery(count: 2))
            #expect(all.total == 3)
            #expect(all.entries.map(\.action) == ["delivery-attempt", "search"])
            let rest = try await store.auditEvents(AuditQuery(after: all.entries.last?.id, count: 2))
            #expect(rest.entries.map(\.action) == ["read"])
            #expect(try await store.auditEvents(AuditQuery(agents: ["b"])).total == 1)
            #expect(
                try await store.auditEvents(AuditQuery(entities: ["Patient/p1"])).total == 2,
                "the resource or its patient"
            )
            #expect(
                try await store.auditEvents(AuditQuery(deliveries: true)).entries.map(\.action) == ["delivery-attempt"]
            )
            #expect(try await store.auditEvents(AuditQuery(deliveries: false)).total == 2)
            #expect(try await store.auditEvents(AuditQuery(outcomes: ["0", "4"])).total == 2)
            let window = try await store.auditEvents(
                AuditQuery(
                    from: Date(timeIntervalSince1970: 15),
                    before: Date(timeIntervalSince1970: 25),
                    newestFirst: false
                )
            )
            #expect(window.entries.map(\.action) == ["search"])
        }
    }

    /// The index rules of the test: every resource gets a token naming its version of the rules.
    struct Indexing: SearchIndexing {
        let version: Int
        func tokens(type: String, content: [UInt8]) -> [String] { ["indexed v\(self.version)"] }
    }

    @Test(arguments: Backend.allCases)
    func resourcesStoredBeforeSearchAreIndexedOnceAtOpen(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { database in
            try await withRunningStore(on: database) { store in
                _ = try await store.ingest(Self.message([Self.write("old", tokens: [])], sender: "a", at: Date()))
            }
            for version in [1, 1, 2] {
                try await withRunningStore(on: database, searchIndexing: Indexing(version: version)) { store in
                    let found = try await store.search(
                        ResourceQuery(type: "ServiceRequest", tokens: [["indexed v\(version)"]])
                    )
                    #expect(found.total == 1, "version \(version)")
                    // The identifier tokens are the index's too: rewritten with the rest.
                    #expect(
                        try await store.search(type: "ServiceRequest", identifier: "urn:oid:1|old", owner: nil).isEmpty
                    )
                    let state = try await RawSQL.rows(
                        "SELECT value FROM store_state WHERE name = 'search_index'",
                        in: store
                    )
                    #expect(state.first?.first == "\(version)")
                }
            }
        }
    }
}
