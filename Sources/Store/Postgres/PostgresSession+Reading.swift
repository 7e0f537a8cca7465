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
                SELECT id, version, deleted FROM resource WHERE type = \(type) AND id = \(id)
                \(unescaped: locking ? "FOR UPDATE" : "")
                """
            )
        )
    }

    func resourceHeader(
        type: String,
        identifierKey: String,
        locking: Bool = false
    ) async throws(StoreError) -> ResourceHeader? {
        try await self.header(
            self.query(
                """
                SELECT id, version, deleted FROM resource WHERE type = \(type) AND identifier_key = \(identifierKey)
                \(unescaped: locking ? "FOR UPDATE" : "")
                """
            )
        )
    }

    private func header(_ rows: [PostgresRow]) throws(StoreError) -> ResourceHeader? {
        guard let row = rows.first else { return nil }
        let (id, version, deleted) = try row.columns((String, Int64, Bool).self)
        return ResourceHeader(id: id, version: Int(version), deleted: deleted)
    }

    /// Ids of the current, not deleted resources of `type` that carry the identifier token.
    func resourceIDs(type: String, identifier token: String, limit: Int) async throws(StoreError) -> [String] {
        var ids: [String] = []
        for row in try await self.query(
            """
            SELECT i.id FROM resource_identifier i JOIN resource r ON r.type = i.type AND r.id = i.id
            WHERE i.type = \(type) AND i.token = \(token) AND NOT r.deleted ORDER BY i.id LIMIT \(Int64(limit))
            """
        ) {
            ids.append(try row.columns(String.self))
        }
        return ids
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
            SELECT v.version, v.recorded_at, v.content, v.content_hash FROM resource r JOIN resource_version v
                ON v.type = r.type AND v.id = r.id AND v.version = r.version
            WHERE r.type = \(type) AND r.id = \(id) \(unescaped: includingDeleted ? "" : "AND NOT r.deleted")
            """,
            type: type,
            id: id
        ).first
    }

    func version(type: String, id: String, version: Int) async throws(StoreError) -> StoredResource? {
        try await self.versions(
            """
            SELECT version, recorded_at, content, content_hash FROM resource_version
            WHERE type = \(type) AND id = \(id) AND version = \(Int64(version))
            """,
            type: type,
            id: id
        ).first?.resource
    }

    /// Every version, newest first.
    func history(type: String, id: String) async throws(StoreError) -> [StoredResource] {
        try await self.versions(
            """
            SELECT version, recorded_at, content, content_hash FROM resource_version
            WHERE type = \(type) AND id = \(id) ORDER BY version DESC
            """,
            type: type,
            id: id
        ).map(\.resource)
    }

    /// Reads rows of (version, recorded_at, content, content_hash).
    private func versions(
        _ query: PostgresQuery,
        type: String,
        id: String
    ) async throws(StoreError) -> [(hash: [UInt8], resource: StoredResource)] {
        var found: [(hash: [UInt8], resource: StoredResource)] = []
        for row in try await self.query(query) {
            let (version, recordedAt, content, hash) = try row.columns((Int64, Int64, ByteBuffer, ByteBuffer).self)
            let resource = StoredResource(
                type: type,
                id: id,
                version: Int(version),
                lastUpdated: Date(storeMilliseconds: recordedAt),
                content: [UInt8](bytea: content)
            )
            found.append(([UInt8](bytea: hash), resource))
        }
        return found
    }

    /// Episodes matching `query`, most recently changed first; retired episodes are never listed.
    func episodes(_ query: EpisodeQuery) async throws(StoreError) -> [EpisodeRecord] {
        try await self.episodeRecords(
            """
            SELECT id, patient_key, service_line, status, document, updated_at FROM episode
            WHERE status != 'retired'
                AND (\(query.patientKey)::text IS NULL OR patient_key = \(query.patientKey))
                AND (\(query.serviceLine)::text IS NULL OR service_line = \(query.serviceLine))
                AND (\(query.status)::text IS NULL OR status = \(query.status))
            ORDER BY updated_at DESC, id LIMIT \(Int64(max(0, query.limit)))
            """
        )
    }

    /// One episode by id, or nil (also for a retired one).
    func episode(id: String) async throws(StoreError) -> EpisodeRecord? {
        try await self.episodeRecords(
            """
            SELECT id, patient_key, service_line, status, document, updated_at FROM episode
            WHERE id = \(id) AND status != 'retired'
            """
        ).first
    }

    private func episodeRecords(_ query: PostgresQuery) async throws(StoreError) -> [EpisodeRecord] {
        var records: [EpisodeRecord] = []
        for row in try await self.query(query) {
            let (id, patientKey, serviceLine, status, document, updatedAt) = try row.columns(
                (String, String, String, String, ByteBuffer, Int64).self
            )
            records.append(
                EpisodeRecord(
                    id: id,
                    patientKey: patientKey,
                    serviceLine: serviceLine,
                    status: status,
                    document: [UInt8](bytea: document),
                    updatedAt: Date(storeMilliseconds: updatedAt)
                )
            )
        }
        return records
    }

    func insertAudit(_ entry: AuditEntry) async throws(StoreError) {
        try await self.query(
            """
            INSERT INTO audit (at, action, outcome, sender, resource_ref, message_id, correlation_id, detail)
            VALUES (\(entry.at.storeMilliseconds), \(entry.action), \(entry.outcome.rawValue), \(entry.sender),
                \(entry.resourceReference), \(entry.messageID), \(entry.correlationID), \(entry.detail))
            """
        )
    }

    /// Audit entries, newest first.
    func auditTrail(limit: Int) async throws(StoreError) -> [AuditEntry] {
        var entries: [AuditEntry] = []
        for row in try await self.query(
            """
            SELECT id, at, action, outcome, sender, resource_ref, message_id, correlation_id, detail FROM audit
            ORDER BY id DESC LIMIT \(Int64(max(0, limit)))
            """
        ) {
            let (id, at, action, outcome, sender, reference, messageID, correlationID, detail) = try row.columns(
                (Int64, Int64, String, String, String?, String?, Int64?, String?, String?).self
            )
            entries.append(
                AuditEntry(
                    id: id,
                    at: Date(storeMilliseconds: at),
                    action: action,
                    outcome: AuditEntry.Outcome(rawValue: outcome) ?? .seriousFailure,
                    sender: sender,
                    resourceReference: reference,
                    messageID: messageID,
                    correlationID: correlationID,
                    detail: detail
                )
            )
        }
        return entries
    }
}
