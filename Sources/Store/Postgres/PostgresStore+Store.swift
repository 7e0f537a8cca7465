public import CoManagement
import Foundation

extension PostgresStore {
    /// Most times an ingest is retried after PostgreSQL chose it as a deadlock victim or could not
    /// serialise it: nothing of it was stored, so running it again is what the sender would do anyway.
    private static let ingestAttempts = 3

    public func ingest(_ message: IngestMessage) async throws(StoreError) -> IngestResult {
        var attempt = 1
        while true {
            do {
                let (result, writes) = try await self.withTransaction { (session) throws(StoreError) in
                    try await session.ingest(message, ledger: self.ledger)
                }
                self.keep(writes)
                return result
            } catch {
                // Two messages that update the same resources in opposite orders can deadlock; the
                // loser is rolled back whole and retried.
                guard error.sqlState == "40P01" || error.sqlState == "40001", attempt < Self.ingestAttempts else {
                    throw error
                }
                attempt += 1
            }
        }
    }

    public func evaluate(at time: FHIRInstant) async throws(StoreError) {
        guard let ledger = self.ledger else { return }
        let at = Date().storeMilliseconds
        let writes = try await self.withTransaction { (session) throws(StoreError) in
            try await session.evaluate(at: time, at: at, ledger: ledger)
        }
        self.keep(writes)
    }

    public func fireDueTimers(at time: FHIRInstant, limit: Int) async throws(StoreError) -> FiredTimers {
        guard let ledger = self.ledger else { return FiredTimers() }
        let at = Date().storeMilliseconds
        let writes = try await self.withTransaction { (session) throws(StoreError) in
            try await session.fireDueTimers(at: time, limit: limit, at: at, ledger: ledger)
        }
        self.keep(writes)
        return FiredTimers(writes)
    }

    /// Puts the partitions a committed transaction wrote back in the cache.
    /// Puts committed partitions back in the cache, and tells the planning when they wrote outbox rows.
    private func keep(_ writes: [PartitionWrite]) {
        guard let ledger = self.ledger else { return }
        for write in writes {
            ledger.cache.remove(write.absorbed)
            ledger.cache.put(write.id, write.cacheEntry)
        }
        if writes.contains(where: \.plannedDeliveries) { ledger.planning?.committed() }
    }

    public func useMappings(_ normaliser: Normaliser, version: String) async throws(StoreError) -> Bool {
        guard let ledger = self.ledger else { return false }
        let at = Date().storeMilliseconds
        let changed = try await self.withTransaction { (session) throws(StoreError) in
            try await session.recordMappingsVersion(version, at: at)
        }
        ledger.use(normaliser, version: version)
        return changed
    }

    public func renormaliseUnmatched(limit: Int) async throws(StoreError) -> Int {
        guard let ledger = self.ledger else { return 0 }
        var done = 0
        var waited: Duration = .zero
        while done < limit {
            let at = Date().storeMilliseconds
            let (write, lockedElsewhere) = try await self.withTransaction {
                (session) throws(StoreError) -> (PartitionWrite?, Bool) in
                if let write = try await session.renormaliseUnmatched(at: at, ledger: ledger) { return (write, false) }
                return (nil, try await session.hasUnmatchedToRenormalise(version: ledger.current.version))
            }
            if let write {
                self.keep([write])
                done += 1
                continue
            }
            // The partitions still to do are locked by other transactions (the timers evaluating every
            // partition after a mappings change, another replica renormalising): wait for them, a while.
            guard lockedElsewhere, waited < .seconds(10) else { break }
            try? await Task.sleep(for: .milliseconds(50))
            waited += .milliseconds(50)
        }
        return done
    }

    public func unmatchedReferrals(limit: Int) async throws(StoreError) -> [UnmatchedRecord] {
        try await self.withSession { (session) throws(StoreError) in
            try await session.unmatchedReferrals(limit: limit)
        }
    }

    public func read(type: String, id: String) async throws(StoreError) -> StoredResource? {
        try await self.withSession { (session) throws(StoreError) in
            try await session.currentVersion(type: type, id: id)?.resource
        }
    }

    public func read(type: String, id: String, version: Int) async throws(StoreError) -> StoredResource? {
        try await self.withSession { (session) throws(StoreError) in
            try await session.version(type: type, id: id, version: version)
        }
    }

    public func history(type: String, id: String) async throws(StoreError) -> [StoredResource] {
        try await self.withSession { (session) throws(StoreError) in
            try await session.history(type: type, id: id)
        }
    }

    /// Reads the ids and their versions in one transaction, so the resources are one snapshot.
    public func search(
        type: String,
        identifier token: String,
        owner: String?
    ) async throws(StoreError) -> [StoredResource] {
        try await self.withTransaction { (session) throws(StoreError) in
            var found: [StoredResource] = []
            for id in try await session.resourceIDs(type: type, identifier: token, owner: owner, limit: 100) {
                if let resource = try await session.currentResource(type: type, id: id) { found.append(resource) }
            }
            return found
        }
    }

    public func resourceID(type: String, identifierKey key: String, owner: String) async throws(StoreError) -> String? {
        try await self.withSession { (session) throws(StoreError) in
            try await session.resourceHeader(type: type, identifierKey: key, owner: owner).flatMap {
                $0.deleted ? nil : $0.id
            }
        }
    }

    public func lookUp(_ names: Set<ResourceName>, sender: String) async throws(StoreError) -> NameLookup {
        guard !names.isEmpty else { return NameLookup() }
        return try await self.withSession { (session) throws(StoreError) in
            try await session.lookUp(names, sender: sender)
        }
    }

    public func episodes(holding reference: String) async throws(StoreError) -> [EpisodeRecord] {
        try await self.withSession { (session) throws(StoreError) in
            try await session.episodes(holding: reference)
        }
    }

    public func episodes(_ episodeIDs: [String], routedTo partner: String) async throws(StoreError) -> Set<String> {
        guard !episodeIDs.isEmpty else { return [] }
        return try await self.withSession { (session) throws(StoreError) in
            try await session.episodes(episodeIDs, routedTo: partner)
        }
    }

    public func episodes(_ query: EpisodeQuery) async throws(StoreError) -> [EpisodeRecord] {
        try await self.withSession { (session) throws(StoreError) in
            try await session.episodes(query)
        }
    }

    public func episode(id: String) async throws(StoreError) -> EpisodeRecord? {
        try await self.withSession { (session) throws(StoreError) in
            try await session.episode(id: id)
        }
    }

    public func measureFacts(
        serviceLine: String?,
        afterID: String,
        limit: Int
    ) async throws(StoreError) -> [EpisodeMeasureFacts] {
        try await self.withSession { (session) throws(StoreError) in
            try await session.measureFacts(serviceLine: serviceLine, afterID: afterID, limit: limit)
        }
    }

    public func record(_ entry: AuditEntry) async throws(StoreError) {
        try await self.withSession { (session) throws(StoreError) in
            try await session.insertAudit(entry)
        }
    }

    public func auditTrail(limit: Int) async throws(StoreError) -> [AuditEntry] {
        try await self.withSession { (session) throws(StoreError) in
            try await session.auditTrail(limit: limit)
        }
    }

    /// Also unavailable while the mappings this replica runs differ from the version recorded for every
    /// replica (another replica started with newer ones).
    public func ping() async throws(StoreError) {
        let expected = self.ledger?.mappingsVersion
        let recorded = try await self.withSession(waitingAtMost: .seconds(2)) { (session) throws(StoreError) in
            try await session.recordedMappingsVersion()
        }
        if let expected, let recorded, expected != recorded {
            throw StoreError(
                .unavailable,
                "this gateway runs mappings \(expected), the store's replicas \(recorded): restart it with the current mappings"
            )
        }
    }
}
