import CoManagement
import FHIRCore
import Foundation

extension SQLiteConnection {
    /// Writes one message and everything it changes; runs inside the caller's transaction (a savepoint
    /// of a group commit), so a throw leaves nothing of the message behind.
    ///
    /// With a `ledger`, the resources the message created or changed are normalised into their partitions
    /// and the episode changes are written too; the partitions go back to the ledger's cache only once all
    /// of the message is written.
    ///
    /// A `plan` made ahead of the writer (``plan(_:ledger:)``) is written as it is when the message's
    /// writes came out as it assumed, with the mappings in use, and nothing it read has changed since (a
    /// timer that evaluated one of its partitions changed its version); otherwise the message is
    /// normalised here.
    mutating func ingest(
        _ message: IngestMessage,
        ledger: EpisodeLedger? = nil,
        plan: NormalisationPlan? = nil
    ) throws(StoreError) -> IngestResult {
        let received = message.received
        let at = received.receivedAt.storeMilliseconds
        let messageID = try self.insertMessage(received, at: at)
        var entries: [Result<WriteResult, StoreError>] = []
        entries.reserveCapacity(message.writes.count)
        for (index, write) in message.writes.enumerated() {
            if message.atomic {
                do {
                    entries.append(
                        .success(try self.apply(write, sender: received.sender, messageID: messageID, at: at))
                    )
                } catch {
                    var failure = error
                    failure.entry = index
                    throw failure
                }
            } else {
                // A batch: each entry stands alone, so each gets its own savepoint.
                try self.query("SAVEPOINT batch_entry")
                do {
                    entries.append(
                        .success(try self.apply(write, sender: received.sender, messageID: messageID, at: at))
                    )
                } catch {
                    try self.query("ROLLBACK TO batch_entry")
                    entries.append(.failure(error))
                }
                try self.query("RELEASE batch_entry")
            }
        }
        for change in message.episodes {
            try self.write(change, partition: nil, messageID: messageID, at: at)
        }
        var normalised: Normalised?
        let changed = IngestRules.normalisable(message.writes, entries)
        if let ledger, !changed.isEmpty {
            // A plan derived with other mappings than the writer's now (a reload between the two) is not
            // written: its episodes and next due times would be the old mappings'.
            if let plan, plan.resources == changed, plan.writes.allSatisfy({ $0.mappings == ledger.mappingsVersion }),
                try self.isCurrent(plan)
            {
                normalised = try self.apply(
                    plan,
                    resources: changed,
                    messageID: messageID,
                    at: at,
                    traceparent: received.traceparent,
                    ledger: ledger
                )
                ledger.countPlan(written: true)
            } else {
                normalised = try self.normalise(
                    changed,
                    sender: received.sender,
                    messageID: messageID,
                    at: at,
                    traceparent: received.traceparent,
                    ledger: ledger
                )
                if plan != nil { ledger.countPlan(written: false) }
            }
        }
        let withdrawn = IngestRules.withdrawn(entries)
        if let ledger, !withdrawn.isEmpty {
            let withdrawal = try self.withdraw(
                withdrawn,
                messageID: messageID,
                at: at,
                traceparent: received.traceparent,
                ledger: ledger
            )
            normalised = Normalised((normalised?.writes ?? []) + withdrawal.writes)
        }
        for (write, entry) in zip(message.writes, entries) {
            try self.insertAudit(
                IngestRules.auditEntry(
                    for: entry,
                    of: write,
                    message: received,
                    messageID: messageID,
                    warnings: normalised?.issues ?? [:]
                )
            )
        }
        if let ledger, let normalised {
            for write in normalised.writes {
                ledger.cache.remove(write.absorbed)
                ledger.cache.put(write.id, write.cacheEntry)
            }
        }
        return IngestResult(
            messageID: messageID,
            entries: entries,
            outcome: normalised?.outcome ?? Outcome(),
            issues: normalised?.issues ?? [:],
            unmatchedReferrals: normalised?.unmatched ?? []
        )
    }

    private mutating func insertMessage(_ received: ReceivedMessage, at: Int64) throws(StoreError) -> Int64 {
        try self.query(
            """
            INSERT INTO message (received_at, sender, content_type, correlation_id, interaction, body)
            VALUES (?, ?, ?, ?, ?, ?)
            """,
            [
                .integer(at), .text(received.sender), .text(received.contentType), .text(received.correlationID),
                .text(received.interaction), .blob(received.body),
            ]
        )
        return self.lastInsertedRowID
    }

    /// Creates or updates one resource of the message's sender. Idempotency rests on the unique indexes
    /// (the gateway id; the sender's business identifier); the single writer makes each decision final.
    mutating func apply(
        _ write: ResourceWrite,
        sender: String,
        messageID: Int64?,
        at: Int64
    ) throws(StoreError) -> WriteResult {
        switch write.mode {
        case .create(let proposedID, let ifNoneExist):
            if let token = ifNoneExist {
                let matches = try self.resourceIDs(type: write.type, identifier: token, owner: sender, limit: 2)
                if let id = try IngestRules.conditionalMatch(
                    matches,
                    of: write,
                    proposedID: proposedID,
                    "If-None-Exist"
                ),
                    let current = try self.currentResource(type: write.type, id: id)
                {
                    try self.recordAlias(of: write, sender: sender, id: id, strictly: false)
                    return WriteResult(.matched, current)
                }
            }
            var upsert = write
            upsert.mode = .update(id: proposedID, ifMatch: nil)
            return try self.apply(upsert, sender: sender, messageID: messageID, at: at)

        case .conditionalUpdate(let token, let proposedID):
            let matches = try self.resourceIDs(type: write.type, identifier: token, owner: sender, limit: 2)
            let id =
                try IngestRules.conditionalMatch(matches, of: write, proposedID: proposedID, "the conditional update")
                ?? proposedID
            var unconditional = write
            unconditional.mode = .update(id: id, ifMatch: nil)
            return try self.apply(unconditional, sender: sender, messageID: messageID, at: at)

        case .delete(let id):
            guard let existing = try self.resourceHeader(type: write.type, id: id) else {
                throw IngestRules.notKnown(write, id: id)
            }
            try IngestRules.requireOwner(existing.owner, of: write, id: id, sender: sender)
            if existing.deleted, let current = try self.currentVersion(type: write.type, id: id) {
                return WriteResult(.unchanged, current.resource)
            }
            let version = existing.version + 1
            try self.query(
                "UPDATE resource SET version = ?, last_updated = ?, deleted = 1 WHERE type = ? AND id = ?",
                [.integer(Int64(version)), .integer(at), .text(write.type), .text(id)]
            )
            return WriteResult(
                .deleted,
                try self.insertVersion(
                    write,
                    id: id,
                    owner: existing.owner,
                    version: version,
                    messageID: messageID,
                    at: at
                )
            )

        case .update(let id, let ifMatch):
            let existing = try self.resourceHeader(type: write.type, id: id)
            let holder = try write.identifierKey.flatMap { key throws(StoreError) in
                try self.resourceHeader(type: write.type, identifierKey: key, owner: sender)
            }
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
                try self.recordAlias(of: write, sender: sender, id: header.id, strictly: true)
                return try self.update(header, with: write, messageID: messageID, at: at)
            case .new:
                // Update as create (FHIR RESTful API §3.1.0.4.2): the id was planned from the sender's own.
                try self.recordAlias(of: write, sender: sender, id: id, strictly: true)
                try self.query(
                    """
                    INSERT INTO resource (type, id, owner, version, identifier_key, last_updated) VALUES (?, ?, ?, 1, ?, ?)
                    """,
                    [.text(write.type), .text(id), .text(sender), SQLiteValue(write.identifierKey), .integer(at)]
                )
                return WriteResult(
                    .created,
                    try self.insertVersion(write, id: id, owner: sender, version: 1, messageID: messageID, at: at)
                )
            }
        }
    }

    /// Records the write's sender id as the sender's name for the resource `id`. `strictly`: the sender
    /// id must not already name another resource (the plan is then stale); otherwise an older meaning is kept.
    private mutating func recordAlias(
        of write: ResourceWrite,
        sender: String,
        id: String,
        strictly: Bool
    ) throws(StoreError) {
        guard let senderID = write.senderID else { return }
        try self.query(
            "INSERT INTO resource_alias (owner, type, alias, id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [.text(sender), .text(write.type), .text(senderID), .text(id)]
        )
        guard self.changes == 0, strictly else { return }
        let recorded = try self.query(
            "SELECT id FROM resource_alias WHERE owner = ? AND type = ? AND alias = ?",
            [.text(sender), .text(write.type), .text(senderID)]
        ).first?.text(0)
        try IngestRules.requireAlias(recorded, of: write, senderID: senderID, id: id)
    }

    /// Adds a version unless the content is unchanged, in which case the current version is returned.
    private mutating func update(
        _ existing: ResourceHeader,
        with write: ResourceWrite,
        messageID: Int64?,
        at: Int64
    ) throws(StoreError) -> WriteResult {
        if !existing.deleted, let current = try self.currentVersion(type: write.type, id: existing.id),
            current.hash == IngestRules.contentHash(write.content)
        {
            return WriteResult(.unchanged, current.resource)
        }
        let version = existing.version + 1
        try self.query(
            "UPDATE resource SET version = ?, identifier_key = ?, last_updated = ?, deleted = 0 WHERE type = ? AND id = ?",
            [
                .integer(Int64(version)), SQLiteValue(write.identifierKey), .integer(at), .text(write.type),
                .text(existing.id),
            ]
        )
        return WriteResult(
            .updated,
            try self.insertVersion(
                write,
                id: existing.id,
                owner: existing.owner,
                version: version,
                messageID: messageID,
                at: at
            )
        )
    }

    private mutating func insertVersion(
        _ write: ResourceWrite,
        id: String,
        owner: String,
        version: Int,
        messageID: Int64?,
        at: Int64
    ) throws(StoreError) -> StoredResource {
        try self.query(
            """
            INSERT INTO resource_version (type, id, version, content, content_hash, message_id, recorded_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(write.type), .text(id), .integer(Int64(version)), .blob(write.content),
                .blob(IngestRules.contentHash(write.content)), messageID.map { .integer($0) } ?? .null, .integer(at),
            ]
        )
        try self.query("DELETE FROM resource_identifier WHERE type = ? AND id = ?", [.text(write.type), .text(id)])
        for token in Set(write.identifiers + write.searchTokens) {
            try self.query(
                "INSERT INTO resource_identifier (type, token, id) VALUES (?, ?, ?)",
                [.text(write.type), .text(token), .text(id)]
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
