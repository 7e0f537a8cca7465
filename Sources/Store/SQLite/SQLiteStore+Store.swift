public import CoManagement
import Foundation

extension SQLiteStore {
    /// The message is normalised ahead, on a reader, while the writer writes others; the writer then only
    /// checks the plan and writes it (``SQLiteConnection/plan(_:ledger:)``).
    public func ingest(_ message: IngestMessage) async throws(StoreError) -> IngestResult {
        let plan = await self.plan(message)
        return try await self.write { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.ingest(message, ledger: self.ledger, plan: plan)
        }
    }

    /// The message's normalisation planned on a reader; nil without readers (an in-memory store), for a
    /// message that cannot be planned ahead, or when planning failed (the writer then normalises it and
    /// reports what is wrong).
    private func plan(_ message: IngestMessage) async -> NormalisationPlan? {
        guard let ledger = self.ledger, self.configuration.planAhead, !self.readers.isEmpty else { return nil }
        return try? await self.read { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.plan(message, ledger: ledger)
        }
    }

    public func evaluate(at time: FHIRInstant) async throws(StoreError) {
        guard let ledger = self.ledger else { return }
        let at = Date().storeMilliseconds
        try await self.write { (connection: inout SQLiteConnection) throws(StoreError) in
            for write in try connection.evaluate(at: time, at: at, ledger: ledger) {
                ledger.cache.put(write.id, write.cacheEntry)
            }
        }
    }

    public func fireDueTimers(at time: FHIRInstant, limit: Int) async throws(StoreError) -> FiredTimers {
        guard let ledger = self.ledger else { return FiredTimers() }
        let at = Date().storeMilliseconds
        return try await self.write { (connection: inout SQLiteConnection) throws(StoreError) in
            let writes = try connection.fireDueTimers(at: time, limit: limit, at: at, ledger: ledger)
            for write in writes { ledger.cache.put(write.id, write.cacheEntry) }
            return FiredTimers(writes)
        }
    }

    public func useMappings(_ normaliser: Normaliser, version: String) async throws(StoreError) -> Bool {
        guard let ledger = self.ledger else { return false }
        let at = Date().storeMilliseconds
        // On the writer, between messages, so that no message mixes the two mappings.
        return try await self.write { (connection: inout SQLiteConnection) throws(StoreError) in
            ledger.use(normaliser, version: version)
            return try connection.recordMappingsVersion(version, at: at)
        }
    }

    public func renormaliseUnmatched(limit: Int) async throws(StoreError) -> Int {
        guard let ledger = self.ledger else { return 0 }
        let at = Date().storeMilliseconds
        return try await self.write { (connection: inout SQLiteConnection) throws(StoreError) in
            let writes = try connection.renormaliseUnmatched(limit: limit, at: at, ledger: ledger)
            for write in writes { ledger.cache.put(write.id, write.cacheEntry) }
            return writes.count
        }
    }

    public func unmatchedReferrals(limit: Int) async throws(StoreError) -> [UnmatchedRecord] {
        try await self.read { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.unmatchedReferrals(limit: limit)
        }
    }

    public func read(type: String, id: String) async throws(StoreError) -> StoredResource? {
        try await self.read { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.currentVersion(type: type, id: id)?.resource
        }
    }

    public func read(type: String, id: String, version: Int) async throws(StoreError) -> StoredResource? {
        try await self.read { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.version(type: type, id: id, version: version)
        }
    }

    public func history(type: String, id: String) async throws(StoreError) -> [StoredResource] {
        try await self.read { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.history(type: type, id: id)
        }
    }

    public func search(
        type: String,
        identifier token: String,
        owner: String?
    ) async throws(StoreError) -> [StoredResource] {
        try await self.read { (connection: inout SQLiteConnection) throws(StoreError) in
            var found: [StoredResource] = []
            for id in try connection.resourceIDs(type: type, identifier: token, owner: owner, limit: 100) {
                if let resource = try connection.currentResource(type: type, id: id) { found.append(resource) }
            }
            return found
        }
    }

    public func resourceID(type: String, identifierKey key: String, owner: String) async throws(StoreError) -> String? {
        try await self.read { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.resourceHeader(type: type, identifierKey: key, owner: owner).flatMap {
                $0.deleted ? nil : $0.id
            }
        }
    }

    public func lookUp(_ names: Set<ResourceName>, sender: String) async throws(StoreError) -> NameLookup {
        guard !names.isEmpty else { return NameLookup() }
        return try await self.read { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.lookUp(names, sender: sender)
        }
    }

    public func episodes(holding reference: String) async throws(StoreError) -> [EpisodeRecord] {
        try await self.read { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.episodes(holding: reference)
        }
    }

    public func episodes(_ episodeIDs: [String], routedTo partner: String) async throws(StoreError) -> Set<String> {
        guard !episodeIDs.isEmpty else { return [] }
        return try await self.read { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.episodes(episodeIDs, routedTo: partner)
        }
    }

    public func episodes(_ query: EpisodeQuery) async throws(StoreError) -> [EpisodeRecord] {
        try await self.read { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.episodes(query)
        }
    }

    public func episode(id: String) async throws(StoreError) -> EpisodeRecord? {
        try await self.read { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.episode(id: id)
        }
    }

    public func measureFacts(
        serviceLine: String?,
        afterID: String,
        limit: Int
    ) async throws(StoreError) -> [EpisodeMeasureFacts] {
        try await self.read { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.measureFacts(serviceLine: serviceLine, afterID: afterID, limit: limit)
        }
    }

    public func record(_ entry: AuditEntry) async throws(StoreError) {
        try await self.write { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.insertAudit(entry)
        }
    }

    public func auditTrail(limit: Int) async throws(StoreError) -> [AuditEntry] {
        try await self.read { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.auditTrail(limit: limit)
        }
    }

    /// Also unavailable while the mappings this process runs differ from the version recorded for every
    /// replica (another replica started with newer ones).
    public func ping() async throws(StoreError) {
        let expected = self.ledger?.mappingsVersion
        let recorded = try await self.read { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.recordedMappingsVersion()
        }
        if let expected, let recorded, expected != recorded {
            throw StoreError(
                .unavailable,
                "this gateway runs mappings \(expected), the store's replicas \(recorded): restart it with the current mappings"
            )
        }
        try await self.read { (connection: inout SQLiteConnection) throws(StoreError) in
            try connection.query("SELECT 1")
            return ()
        }
    }

    /// Runs a read on a reader connection (or the writer's, for an in-memory database), on the pool.
    ///
    /// In WAL mode a reader sees the last commit and never waits for the writer. Several statements in
    /// one `body` are not one snapshot; none of the reads here needs more than one statement's.
    func read<Value: Sendable>(
        _ body: @escaping @Sendable (inout SQLiteConnection) throws(StoreError) -> Value
    ) async throws(StoreError) -> Value {
        let slot = self.readers.randomElement() ?? self.writer
        return try await Self.run(on: self.threadPool) { () throws(StoreError) -> Value in
            try slot.withConnection(body)
        }
    }
}
