import Foundation
import NIOCore
import PostgresNIO

extension PostgresSession {
    /// The `resource` row of a resource; `locking` holds its row lock until the transaction ends, so the
    /// next version is decided by one writer at a time.
    func resourceHeader(type: String, id: String, locking: Bool = false) async throws(StoreError) -> ResourceHeader? {
        try await self.header(
            self.query(
                """
                SELECT id, version, deleted, owner FROM resource WHERE type = \(type) AND id = \(id)
                \(unescaped: locking ? "FOR UPDATE" : "")
                """
            )
        )
    }

    /// The sender's resource of `type` whose business identifier is `identifierKey`.
    func resourceHeader(
        type: String,
        identifierKey: String,
        owner: String
    ) async throws(StoreError) -> ResourceHeader? {
        var bindings = PostgresBindings()
        bindings.append(owner)
        bindings.append(type)
        bindings.append(identifierKey)
        return try await self.header(self.query(ResourceByIdentifierKey.self, bindings))
    }

    /// A sender's resource of a type by its business identifier; every plan of a write reads it.
    private enum ResourceByIdentifierKey: PreparedStatementText {
        static let sql = """
            SELECT id, version, deleted, owner FROM resource
            WHERE owner = $1::text AND type = $2::text AND identifier_key = $3::text
            """
    }

    private func header(_ rows: [PostgresRow]) throws(StoreError) -> ResourceHeader? {
        guard let row = rows.first else { return nil }
        let (id, version, deleted, owner) = try row.columns((String, Int64, Bool, String).self)
        return ResourceHeader(id: id, version: Int(version), deleted: deleted, owner: owner)
    }

    /// Ids of the current, not deleted resources of `type` that carry the identifier token; only the
    /// sender's own when `owner` is given.
    func resourceIDs(
        type: String,
        identifier token: String,
        owner: String?,
        limit: Int
    ) async throws(StoreError) -> [String] {
        var ids: [String] = []
        for row in try await self.query(
            """
            SELECT i.id FROM resource_identifier i JOIN resource r ON r.type = i.type AND r.id = i.id
            WHERE i.type = \(type) AND i.token = \(token) AND NOT r.deleted
                AND (\(owner)::text IS NULL OR r.owner = \(owner))
            ORDER BY i.id LIMIT \(Int64(limit))
            """
        ) {
            ids.append(try row.columns(String.self))
        }
        return ids
    }

    /// What the store knows of `names` for one sender: the sender's aliases, and the owners of names that
    /// are gateway ids (two queries, whatever the number of names).
    func lookUp(_ names: Set<ResourceName>, sender: String) async throws(StoreError) -> NameLookup {
        let sorted = names.sorted()
        let types = sorted.map(\.type)
        let ids = sorted.map(\.id)
        var lookup = NameLookup()
        for row in try await self.query(
            """
            SELECT a.type, a.alias, a.id FROM unnest(\(types)::text[], \(ids)::text[]) AS n(type, id)
            JOIN resource_alias a ON a.owner = \(sender) AND a.type = n.type AND a.alias = n.id
            """
        ) {
            let (type, alias, id) = try row.columns((String, String, String).self)
            lookup.aliases[ResourceName(type: type, id: alias)] = id
        }
        for row in try await self.query(
            """
            SELECT r.type, r.id, r.owner FROM unnest(\(types)::text[], \(ids)::text[]) AS n(type, id)
            JOIN resource r ON r.type = n.type AND r.id = n.id
            """
        ) {
            let (type, id, owner) = try row.columns((String, String, String).self)
            lookup.owners[ResourceName(type: type, id: id)] = owner
        }
        return lookup
    }

    /// The current version of a resource that is not deleted.
    func currentResource(type: String, id: String) async throws(StoreError) -> StoredResource? {
        try await self.currentVersion(type: type, id: id, includingDeleted: false)?.resource
    }

    /// The current version of a resource with its content hash, deleted or not.
    func currentVersion(
        type: String,
        id: String,
        includingDeleted: Bool = true
    ) async throws(StoreError) -> (hash: [UInt8], resource: StoredResource)? {
        try await self.versions(
            """
            SELECT v.version, v.recorded_at, v.content, v.content_hash, r.owner FROM resource r
                JOIN resource_version v ON v.type = r.type AND v.id = r.id AND v.version = r.version
            WHERE r.type = \(type) AND r.id = \(id) \(unescaped: includingDeleted ? "" : "AND NOT r.deleted")
            """,
            type: type,
            id: id
        ).first
    }

    func version(type: String, id: String, version: Int) async throws(StoreError) -> StoredResource? {
        try await self.versions(
            """
            SELECT v.version, v.recorded_at, v.content, v.content_hash, r.owner FROM resource_version v
                JOIN resource r ON r.type = v.type AND r.id = v.id
            WHERE v.type = \(type) AND v.id = \(id) AND v.version = \(Int64(version))
            """,
            type: type,
            id: id
        ).first?.resource
    }

    /// Every version, newest first.
    func history(type: String, id: String) async throws(StoreError) -> [StoredResource] {
        try await self.versions(
            """
            SELECT v.version, v.recorded_at, v.content, v.content_hash, r.owner FROM resource_version v
                JOIN resource r ON r.type = v.type AND r.id = v.id
            WHERE v.type = \(type) AND v.id = \(id) ORDER BY v.version DESC
            """,
            type: type,
            id: id
        ).map(\.resource)
    }

    /// Reads rows of (version, recorded_at, content, content_hash, owner).
    private func versions(
        _ query: PostgresQuery,
        type: String,
        id: String
    ) async throws(StoreError) -> [(hash: [UInt8], resource: StoredResource)] {
        var found: [(hash: [UInt8], resource: StoredResource)] = []
        for row in try await self.query(query) {
            let (version, recordedAt, content, hash, owner) = try row.columns(
                (Int64, Int64, ByteBuffer, ByteBuffer, String).self
            )
            let resource = StoredResource(
                type: type,
                id: id,
                version: Int(version),
                owner: owner,
                lastUpdated: Date(storeMilliseconds: recordedAt),
                content: [UInt8](bytea: content)
            )
            found.append(([UInt8](bytea: hash), resource))
        }
        return found
    }

    /// Episodes matching `query`, most recently changed first; retired episodes are never listed.
    func episodes(_ query: EpisodeQuery) async throws(StoreError) -> [EpisodeRecord] {
        if let after = query.afterID {
            return try await self.episodeRecords(
                """
                SELECT id, patient_key, service_line, status, state, updated_at, coalesce(partition_id, 0)
                FROM episode
                WHERE status != 'retired' AND id > \(after)
                    AND (\(query.serviceLine)::text IS NULL OR service_line = \(query.serviceLine))
                ORDER BY id LIMIT \(Int64(max(0, query.limit)))
                """
            )
        }
        return try await self.episodeRecords(
            """
            SELECT id, patient_key, service_line, status, state, updated_at, coalesce(partition_id, 0) FROM episode
            WHERE status != 'retired'
                AND (\(query.patientKey)::text IS NULL OR patient_key = \(query.patientKey))
                AND (\(query.serviceLine)::text IS NULL OR service_line = \(query.serviceLine))
                AND (\(query.status)::text IS NULL OR status = \(query.status))
                AND (\(query.sender)::text IS NULL
                    OR strpos(owners, ',' || \(query.sender) || ',') > 0)
                AND (\(query.partner)::text IS NULL
                    OR EXISTS (SELECT 1 FROM outbox o WHERE o.episode_id = episode.id AND (o.partner = \(query.partner)
                        OR o.partner IN (SELECT s.id FROM subscription s WHERE s.owner = \(query.partner)))))
            ORDER BY updated_at DESC, id LIMIT \(Int64(max(0, query.limit)))
            """
        )
    }

    /// The live episodes holding the resource `reference` (`Type/id`).
    func episodes(holding reference: String) async throws(StoreError) -> [EpisodeRecord] {
        try await self.episodeRecords(
            """
            SELECT e.id, e.patient_key, e.service_line, e.status, e.state, e.updated_at,
                coalesce(e.partition_id, 0)
            FROM episode_member m JOIN episode e ON e.id = m.episode_id
            WHERE m.reference = \(reference) AND e.status != 'retired' ORDER BY e.id
            """
        )
    }

    /// Of `episodeIDs`, those with an outbox row for `partner` or one of its subscriptions.
    func episodes(_ episodeIDs: [String], routedTo partner: String) async throws(StoreError) -> Set<String> {
        var routed: Set<String> = []
        for row in try await self.query(
            """
            SELECT DISTINCT episode_id FROM outbox
            WHERE (partner = \(partner) OR partner IN (SELECT s.id FROM subscription s WHERE s.owner = \(partner)))
                AND episode_id = ANY(\(episodeIDs))
            """
        ) {
            routed.insert(try row.columns(String.self))
        }
        return routed
    }

    /// One episode by id, or nil (also for a retired one).
    func episode(id: String) async throws(StoreError) -> EpisodeRecord? {
        try await self.episodeRecords(
            """
            SELECT id, patient_key, service_line, status, state, updated_at, coalesce(partition_id, 0) FROM episode
            WHERE id = \(id) AND status != 'retired'
            """
        ).first
    }

    /// Episode rows as records: each document is the stored state with its timeline read back.
    private func episodeRecords(_ query: PostgresQuery) async throws(StoreError) -> [EpisodeRecord] {
        var rows: [(String, String, String, String, [UInt8], Int64, Int64)] = []
        for row in try await self.query(query) {
            let (id, patientKey, serviceLine, status, state, updatedAt, partition) = try row.columns(
                (String, String, String, String, ByteBuffer, Int64, Int64).self
            )
            rows.append((id, patientKey, serviceLine, status, [UInt8](bytea: state), updatedAt, partition))
        }
        let events = try await self.timelines(partitions: rows.map(\.6), episodeIDs: rows.map(\.0))
        return try rows.map { row throws(StoreError) in
            EpisodeRecord(
                id: row.0,
                patientKey: row.1,
                serviceLine: row.2,
                status: row.3,
                document: try EpisodeJSON.encode(try EpisodeJSON.episode(state: row.4, events: events[row.0] ?? [])),
                updatedAt: Date(storeMilliseconds: row.5)
            )
        }
    }

    /// The timeline events of the episodes (each in its partition, `partitions[i]` holding
    /// `episodeIDs[i]`) as stored, by episode id, in number order.
    func timelines(partitions: [Int64], episodeIDs: [String]) async throws(StoreError) -> [String: [[UInt8]]] {
        var events: [String: [[UInt8]]] = [:]
        guard !episodeIDs.isEmpty else { return events }
        for row in try await self.query(
            """
            SELECT v.episode_id, v.payload FROM episode_event v
            JOIN unnest(\(partitions)::bigint[], \(episodeIDs)::text[]) AS r(partition_id, episode_id)
                ON v.partition_id = r.partition_id AND v.episode_id = r.episode_id
            ORDER BY v.episode_id, v.number
            """
        ) {
            let (id, payload) = try row.columns((String, ByteBuffer).self)
            events[id, default: []].append([UInt8](bytea: payload))
        }
        return events
    }

    func insertAudit(_ entry: AuditEntry) async throws(StoreError) {
        var bindings = PostgresBindings()
        bindings.append(entry.at.storeMilliseconds)
        bindings.append(entry.action)
        bindings.append(entry.outcome.rawValue)
        bindings.append(entry.sender)
        bindings.append(entry.resourceReference)
        bindings.append(entry.messageID)
        bindings.append(entry.correlationID)
        bindings.append(entry.detail)
        bindings.append(entry.role)
        bindings.append(entry.patient)
        bindings.append(entry.source)
        try await self.query(AuditInsert.self, bindings)
    }

    private enum AuditInsert: PreparedStatementText {
        static let sql = """
            INSERT INTO audit (at, action, outcome, sender, resource_ref, message_id, correlation_id, detail,
                agent_role, patient_ref, source_address)
            VALUES ($1::bigint, $2::text, $3::text, $4::text, $5::text, $6::bigint, $7::text, $8::text, $9::text,
                $10::text, $11::text)
            """
    }

    /// Audit entries, newest first.
    /// The newest `limit` records, of those `condition` (SQL over the audit table's columns, never user
    /// text) admits.
    func auditTrail(limit: Int, where condition: String = "TRUE") async throws(StoreError) -> [AuditEntry] {
        var entries: [AuditEntry] = []
        // The condition is the store's own SQL and the limit a number: nothing here is a caller's text.
        let query = PostgresQuery(
            unsafeSQL: """
                SELECT id, at, action, outcome, sender, resource_ref, message_id, correlation_id, detail,
                    agent_role, patient_ref, source_address
                FROM audit WHERE \(condition) ORDER BY id DESC LIMIT \(max(0, limit))
                """
        )
        for row in try await self.query(query) {
            entries.append(try Self.auditEntry(row))
        }
        return entries
    }

    /// An audit row of (id, at, action, outcome, sender, resource_ref, message_id, correlation_id, detail,
    /// agent_role, patient_ref, source_address).
    static func auditEntry(_ row: PostgresRow) throws(StoreError) -> AuditEntry {
        let (id, at, action, outcome, sender, reference, messageID, correlationID, detail, role, patient, source) =
            try row.columns(
                (Int64, Int64, String, String, String?, String?, Int64?, String?, String?, String?, String?, String?)
                    .self
            )
        return AuditEntry(
            id: id,
            at: Date(storeMilliseconds: at),
            action: action,
            outcome: AuditEntry.Outcome(rawValue: outcome) ?? .seriousFailure,
            sender: sender,
            resourceReference: reference,
            messageID: messageID,
            correlationID: correlationID,
            detail: detail,
            role: role,
            patient: patient,
            source: source
        )
    }
}
