import CoManagement
import FHIRCore
import Foundation
import PostgresNIO

extension PostgresSession {
    /// Writes one message and everything it changes, inside the caller's transaction: a throw leaves
    /// nothing of the message behind once the caller rolls back.
    ///
    /// With a `ledger`, the resources the message created or changed are normalised into their partitions
    /// (``normalise(_:sender:messageID:at:ledger:)``); the caller puts the partitions back in the cache
    /// once the transaction has committed.
    func ingest(
        _ message: IngestMessage,
        ledger: EpisodeLedger?
    ) async throws(StoreError) -> (result: IngestResult, writes: [PartitionWrite]) {
        let received = message.received
        let at = received.receivedAt.storeMilliseconds
        let locked = Set(message.writes.flatMap { Self.identifierLocks(of: $0, sender: received.sender) })
        let messageID = try await self.insertMessage(received, at: at, locking: locked)
        var entries: [Result<WriteResult, StoreError>] = []
        entries.reserveCapacity(message.writes.count)
        for (index, write) in message.writes.enumerated() {
            if message.atomic {
                do {
                    entries.append(
                        .success(
                            try await self.apply(
                                write,
                                sender: received.sender,
                                messageID: messageID,
                                at: at,
                                locked: locked
                            )
                        )
                    )
                } catch {
                    var failure = error
                    failure.entry = index
                    throw failure
                }
            } else {
                // A batch: each entry stands alone, so each gets its own savepoint.
                entries.append(
                    try await self.savepoint("batch_entry") { (session) throws(StoreError) in
                        try await session.apply(
                            write,
                            sender: received.sender,
                            messageID: messageID,
                            at: at,
                            locked: locked
                        )
                    }
                )
            }
        }
        for change in message.episodes {
            try await self.write(change, partition: nil, messageID: messageID, at: at)
        }
        var normalised = Normalised()
        let changed = IngestRules.normalisable(message.writes, entries)
        let withdrawn = IngestRules.withdrawn(entries)
        // The audit entries name every warning of the message: with nothing withdrawn, the normalisation
        // knows them all and writes the entries with its first partition.
        let audits = { (normalised: Normalised) -> [AuditEntry] in
            zip(message.writes, entries).map { write, entry in
                IngestRules.auditEntry(
                    for: entry,
                    of: write,
                    message: received,
                    messageID: messageID,
                    warnings: normalised.issues
                )
            }
        }
        if let ledger, !changed.isEmpty {
            normalised = try await self.normalise(
                changed,
                sender: received.sender,
                messageID: messageID,
                at: at,
                traceparent: received.traceparent,
                ledger: ledger,
                audits: withdrawn.isEmpty ? audits : nil
            )
        }
        if let ledger, !withdrawn.isEmpty {
            let withdrawal = try await self.withdraw(
                withdrawn,
                messageID: messageID,
                at: at,
                traceparent: received.traceparent,
                ledger: ledger
            )
            normalised = Normalised(normalised.writes + withdrawal.writes)
        }
        if !normalised.audited {
            for entry in audits(normalised) { try await self.insertAudit(entry) }
        }
        let result = IngestResult(
            messageID: messageID,
            entries: entries,
            outcome: normalised.outcome,
            issues: normalised.issues,
            unmatchedReferrals: normalised.unmatched
        )
        return (result, normalised.writes)
    }

    /// Inserts the message and takes the identifier locks its writes need (``identifierLocks(of:sender:)``),
    /// in one sorted pass, so two messages never wait for each other's in opposite orders.
    private func insertMessage(
        _ received: ReceivedMessage,
        at: Int64,
        locking locks: Set<String>
    ) async throws(StoreError) -> Int64 {
        var bindings = PostgresBindings()
        bindings.append(at)
        bindings.append(received.sender)
        bindings.append(received.contentType)
        bindings.append(received.correlationID)
        bindings.append(received.interaction)
        bindings.append(received.body.bytea)
        bindings.append(locks.sorted())
        let rows = try await self.query(MessageInsertLocking.self, bindings)
        return try rows.first?.columns(Int64.self) ?? 0
    }

    /// Also sets `plan_cache_mode` to `force_generic_plan` until the transaction ends: the ingest's
    /// statements that follow then run on the one plan each connection made for them
    /// (``PreparedStatementText``), instead of being planned again for every message.
    private enum MessageInsertLocking: PreparedStatementText {
        static let sql = """
            WITH inserted AS (
                INSERT INTO message (received_at, sender, content_type, correlation_id, interaction, body)
                VALUES ($1::bigint, $2::text, $3::text, $4::text, $5::text, $6::bytea)
                RETURNING id
            )
            SELECT id, (
                SELECT count(pg_advisory_xact_lock(h)) FROM (
                    SELECT DISTINCT hashtextextended(n, 0) AS h FROM unnest($7::text[]) AS n ORDER BY h
                ) AS locks
            ), set_config('plan_cache_mode', 'force_generic_plan', true)
            FROM inserted
            """
    }

    /// The identifier locks `write` takes (``lockIdentifier(type:token:locked:)``), as `type|token`.
    static func identifierLocks(of write: ResourceWrite, sender: String) -> [String] {
        var tokens: [String] = []
        switch write.mode {
        case .create(_, let ifNoneExist?): tokens.append("\(sender)|\(ifNoneExist)")
        case .conditionalUpdate(let token, _): tokens.append("\(sender)|\(token)")
        case .create, .update, .delete: break
        }
        // Every mode but delete ends as an update, which locks the business identifier.
        let deletes = if case .delete = write.mode { true } else { false }
        if !deletes, let key = write.identifierKey { tokens.append("key:\(sender)|\(key)") }
        return tokens.map { write.type + "|" + $0 }
    }

    /// Creates or updates one resource of the message's sender. Idempotency rests on the unique constraints:
    /// the insert claims the gateway id (`ON CONFLICT DO NOTHING` waits for a concurrent claimant to
    /// commit), and writes that carry a business identifier are serialised per sender and identifier.
    ///
    /// `locked`: identifier locks the transaction already holds (``identifierLocks(of:sender:)``).
    func apply(
        _ write: ResourceWrite,
        sender: String,
        messageID: Int64?,
        at: Int64,
        locked: Set<String> = []
    ) async throws(StoreError) -> WriteResult {
        switch write.mode {
        case .create(let proposedID, let ifNoneExist):
            if let token = ifNoneExist {
                try await self.lockIdentifier(type: write.type, token: "\(sender)|\(token)", locked: locked)
                let matches = try await self.resourceIDs(type: write.type, identifier: token, owner: sender, limit: 2)
                if let id = try IngestRules.conditionalMatch(
                    matches,
                    of: write,
                    proposedID: proposedID,
                    "If-None-Exist"
                ),
                    let current = try await self.currentResource(type: write.type, id: id)
                {
                    try await self.recordAlias(of: write, sender: sender, id: id, strictly: false)
                    return WriteResult(.matched, current)
                }
            }
            var upsert = write
            upsert.mode = .update(id: proposedID, ifMatch: nil)
            return try await self.apply(upsert, sender: sender, messageID: messageID, at: at, locked: locked)

        case .conditionalUpdate(let token, let proposedID):
            try await self.lockIdentifier(type: write.type, token: "\(sender)|\(token)", locked: locked)
            let matches = try await self.resourceIDs(type: write.type, identifier: token, owner: sender, limit: 2)
            let id =
                try IngestRules.conditionalMatch(matches, of: write, proposedID: proposedID, "the conditional update")
                ?? proposedID
            var unconditional = write
            unconditional.mode = .update(id: id, ifMatch: nil)
            return try await self.apply(unconditional, sender: sender, messageID: messageID, at: at, locked: locked)

        case .delete(let id):
            guard let existing = try await self.resourceHeader(type: write.type, id: id, locking: true) else {
                throw IngestRules.notKnown(write, id: id)
            }
            try IngestRules.requireOwner(existing.owner, of: write, id: id, sender: sender)
            if existing.deleted, let current = try await self.currentVersion(type: write.type, id: id) {
                return WriteResult(.unchanged, current.resource)
            }
            let version = existing.version + 1
            try await self.query(
                """
                UPDATE resource SET version = \(Int64(version)), last_updated = \(at), deleted = true
                WHERE type = \(write.type) AND id = \(id)
                """
            )
            return WriteResult(
                .deleted,
                try await self.insertVersion(
                    write,
                    id: id,
                    owner: existing.owner,
                    version: version,
                    messageID: messageID,
                    at: at
                )
            )

        case .update(let id, let ifMatch):
            if let key = write.identifierKey {
                try await self.lockIdentifier(type: write.type, token: "key:\(sender)|\(key)", locked: locked)
            }
            let found = try await self.resourceHeadersCreating(
                write,
                id: id,
                owner: sender,
                creating: ifMatch == nil,
                messageID: messageID,
                at: at
            )
            let (existing, holder) = (found.byID, found.byIdentifierKey)
            let target = try IngestRules.updateTarget(
                of: write,
                id: id,
                ifMatch: ifMatch,
                sender: sender,
                existing: existing,
                holder: holder
            )
            switch target {
            case .existing(let header), .holder(let header):
                try await self.recordAlias(of: write, sender: sender, id: header.id, strictly: true)
                return try await self.update(header, with: write, messageID: messageID, at: at)
            case .new:
                // Update as create (FHIR RESTful API §3.1.0.4.2): the id was planned from the sender's own.
                try await self.recordAlias(of: write, sender: sender, id: id, strictly: true)
                if let created = found.created { return WriteResult(.created, created) }
                // Refused: a concurrent writer created the id first; update it, as if it had come first.
                guard let raced = try await self.resourceHeader(type: write.type, id: id, locking: true) else {
                    throw StoreError(.duplicate, "\(write.type)/\(id) could not be created")
                }
                try IngestRules.requireOwner(raced.owner, of: write, id: id, sender: sender)
                return try await self.update(raced, with: write, messageID: messageID, at: at)
            }
        }
    }

    /// Records the write's sender id as the sender's name for the resource `id`. `strictly`: the sender
    /// id must not already name another resource (the plan is then stale); otherwise an older meaning is kept.
    private func recordAlias(
        of write: ResourceWrite,
        sender: String,
        id: String,
        strictly: Bool
    ) async throws(StoreError) {
        guard let senderID = write.senderID else { return }
        let inserted = try await self.query(
            """
            INSERT INTO resource_alias (owner, type, alias, id) VALUES (\(sender), \(write.type), \(senderID), \(id))
            ON CONFLICT DO NOTHING RETURNING id
            """
        )
        guard inserted.isEmpty, strictly else { return }
        let recorded = try await self.query(
            """
            SELECT id FROM resource_alias WHERE owner = \(sender) AND type = \(write.type) AND alias = \(senderID)
            """
        ).first.map { row throws(StoreError) in try row.columns(String.self) }
        try IngestRules.requireAlias(recorded, of: write, senderID: senderID, id: id)
    }

    /// The resource `id` (``resourceHeader(type:id:locking:)``) and, with an `identifierKey`, the sender's
    /// resource that holds it (``resourceHeader(type:identifierKey:owner:)``), both locked; when `creating`
    /// and neither exists, the resource is created at version 1 with its identifier rows in the same
    /// statement, unless a concurrent writer took the id first (`created` is then nil).
    ///
    /// Creating only when neither exists is creating exactly when ``IngestRules/updateTarget(of:id:ifMatch:sender:existing:holder:)``
    /// answers `.new` for a write without `If-Match`; a write the rules then refuse rolls back with it.
    private func resourceHeadersCreating(
        _ write: ResourceWrite,
        id: String,
        owner: String,
        creating: Bool,
        messageID: Int64?,
        at: Int64
    ) async throws(StoreError) -> (byID: ResourceHeader?, byIdentifierKey: ResourceHeader?, created: StoredResource?) {
        var bindings = PostgresBindings()
        bindings.append(write.type)
        bindings.append(id)
        bindings.append(write.identifierKey)
        bindings.append(owner)
        bindings.append(at)
        bindings.append(write.content.bytea)
        bindings.append(IngestRules.contentHash(write.content).bytea)
        bindings.append(messageID)
        bindings.append(Self.tokens(of: write))
        bindings.append(creating)
        var found: (byID: ResourceHeader?, byIdentifierKey: ResourceHeader?, created: StoredResource?) = (nil, nil, nil)
        for row in try await self.query(ResourceHeadersLockedOrCreation.self, bindings) {
            let (kind, id, version, deleted, owner) = try row.columns((String, String, Int64, Bool, String).self)
            let header = ResourceHeader(id: id, version: Int(version), deleted: deleted, owner: owner)
            switch kind {
            case "i": found.byID = header
            case "k": found.byIdentifierKey = header
            default:
                found.created = StoredResource(
                    type: write.type,
                    id: id,
                    version: 1,
                    owner: owner,
                    lastUpdated: Date(storeMilliseconds: at),
                    content: write.content
                )
            }
        }
        return found
    }

    /// The rows by id (`i`) and by identifier key (`k`), locked, and the one created (`c`) when `$10` and
    /// neither exists.
    private enum ResourceHeadersLockedOrCreation: PreparedStatementText {
        static let sql = """
            WITH by_id AS (
                SELECT id, version, deleted, owner FROM resource WHERE type = $1::text AND id = $2::text FOR UPDATE
            ), by_key AS (
                SELECT id, version, deleted, owner FROM resource
                WHERE owner = $4::text AND type = $1::text AND identifier_key = $3::text
                FOR UPDATE
            ), created AS (
                INSERT INTO resource (type, id, owner, version, identifier_key, last_updated)
                SELECT $1::text, $2::text, $4::text, 1, $3::text, $5::bigint
                WHERE $10::boolean AND NOT EXISTS (SELECT 1 FROM by_id) AND NOT EXISTS (SELECT 1 FROM by_key)
                ON CONFLICT DO NOTHING RETURNING type, id
            ), version AS (
                INSERT INTO resource_version (type, id, version, content, content_hash, message_id, recorded_at)
                SELECT type, id, 1, $6::bytea, $7::bytea, $8::bigint, $5::bigint FROM created
            ), tokens AS (
                INSERT INTO resource_identifier (type, token, id)
                SELECT created.type, token, created.id FROM created, unnest($9::text[]) AS token
            )
            SELECT 'i', id, version, deleted, owner FROM by_id
            UNION ALL SELECT 'k', id, version, deleted, owner FROM by_key
            UNION ALL SELECT 'c', id, 1::int8, false, $4::text FROM created
            """
    }

    /// The identifier and search tokens a resource is found by.
    private static func tokens(of write: ResourceWrite) -> [String] {
        Array(Set(write.identifiers + write.searchTokens)).sorted()
    }

    /// Serialises, until the transaction ends, the writes that match on this identifier: conditional
    /// matches read identifiers that no unique constraint guards.
    private func lockIdentifier(type: String, token: String, locked: Set<String>) async throws(StoreError) {
        let name = type + "|" + token
        guard !locked.contains(name) else { return }
        try await self.query("SELECT pg_advisory_xact_lock(hashtextextended(\(name), 0))")
    }

    /// Adds a version unless the content is unchanged, in which case the current version is returned.
    /// `existing` was read with its row locked, so its version is the one to follow.
    private func update(
        _ existing: ResourceHeader,
        with write: ResourceWrite,
        messageID: Int64?,
        at: Int64
    ) async throws(StoreError) -> WriteResult {
        if !existing.deleted, let current = try await self.currentVersion(type: write.type, id: existing.id),
            current.hash == IngestRules.contentHash(write.content)
        {
            return WriteResult(.unchanged, current.resource)
        }
        let version = existing.version + 1
        try await self.query(
            """
            UPDATE resource SET version = \(Int64(version)), identifier_key = \(write.identifierKey),
                last_updated = \(at), deleted = false
            WHERE type = \(write.type) AND id = \(existing.id)
            """
        )
        return WriteResult(
            .updated,
            try await self.insertVersion(
                write,
                id: existing.id,
                owner: existing.owner,
                version: version,
                messageID: messageID,
                at: at
            )
        )
    }

    private func insertVersion(
        _ write: ResourceWrite,
        id: String,
        owner: String,
        version: Int,
        messageID: Int64?,
        at: Int64
    ) async throws(StoreError) -> StoredResource {
        try await self.query(
            """
            INSERT INTO resource_version (type, id, version, content, content_hash, message_id, recorded_at)
            VALUES (\(write.type), \(id), \(Int64(version)), \(write.content.bytea),
                \(IngestRules.contentHash(write.content).bytea), \(messageID), \(at))
            """
        )
        try await self.query("DELETE FROM resource_identifier WHERE type = \(write.type) AND id = \(id)")
        let tokens = Self.tokens(of: write)
        if !tokens.isEmpty {
            try await self.query(
                """
                INSERT INTO resource_identifier (type, token, id)
                SELECT \(write.type), token, \(id) FROM unnest(\(tokens)::text[]) AS token
                """
            )
        }
        return StoredResource(
            type: write.type,
            id: id,
            version: version,
            owner: owner,
            lastUpdated: Date(storeMilliseconds: at),
            content: write.content
        )
    }
}
