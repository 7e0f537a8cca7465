import Foundation

/// The `resource` row of a resource: enough to decide how to write its next version.
struct ResourceHeader: Sendable {
    let id: String
    let version: Int
    let deleted: Bool
    /// The sender that created the resource.
    let owner: String
}

extension SQLiteConnection {
    func resourceHeaderRow(_ rows: [SQLiteRow]) -> ResourceHeader? {
        rows.first.map {
            ResourceHeader(id: $0.text(0) ?? "", version: $0.int(1), deleted: $0.int(2) != 0, owner: $0.text(3) ?? "")
        }
    }

    mutating func resourceHeader(type: String, id: String) throws(StoreError) -> ResourceHeader? {
        self.resourceHeaderRow(
            try self.query(
                "SELECT id, version, deleted, owner FROM resource WHERE type = ? AND id = ?",
                [.text(type), .text(id)]
            )
        )
    }

    /// The sender's resource of `type` whose business identifier is `identifierKey`.
    mutating func resourceHeader(
        type: String,
        identifierKey: String,
        owner: String
    ) throws(StoreError) -> ResourceHeader? {
        self.resourceHeaderRow(
            try self.query(
                "SELECT id, version, deleted, owner FROM resource WHERE owner = ? AND type = ? AND identifier_key = ?",
                [.text(owner), .text(type), .text(identifierKey)]
            )
        )
    }

    /// Ids of the current, not deleted resources of `type` that carry the identifier token; only the
    /// sender's own when `owner` is given.
    mutating func resourceIDs(
        type: String,
        identifier token: String,
        owner: String?,
        limit: Int
    ) throws(StoreError) -> [String] {
        try self.query(
            """
            SELECT i.id FROM resource_identifier i JOIN resource r ON r.type = i.type AND r.id = i.id
            WHERE i.type = ? AND i.token = ? AND r.deleted = 0 AND (?3 IS NULL OR r.owner = ?3) ORDER BY i.id LIMIT ?4
            """,
            [.text(type), .text(token), SQLiteValue(owner), .integer(Int64(limit))]
        ).compactMap { $0.text(0) }
    }

    /// What the store knows of `names` for one sender: the sender's aliases, and the owners of names that
    /// are gateway ids.
    mutating func lookUp(_ names: Set<ResourceName>, sender: String) throws(StoreError) -> NameLookup {
        var lookup = NameLookup()
        for name in names.sorted() {
            if let id = try self.query(
                "SELECT id FROM resource_alias WHERE owner = ? AND type = ? AND alias = ?",
                [.text(sender), .text(name.type), .text(name.id)]
            ).first?.text(0) {
                lookup.aliases[name] = id
            }
            if let owner = try self.query(
                "SELECT owner FROM resource WHERE type = ? AND id = ?",
                [.text(name.type), .text(name.id)]
            ).first?.text(0) {
                lookup.owners[name] = owner
            }
        }
        return lookup
    }

    /// The current version of a resource that is not deleted.
    mutating func currentResource(type: String, id: String) throws(StoreError) -> StoredResource? {
        try self.versions(
            """
            SELECT v.version, v.recorded_at, v.content, v.content_hash, r.owner FROM resource r
                JOIN resource_version v ON v.type = r.type AND v.id = r.id AND v.version = r.version
            WHERE r.type = ? AND r.id = ? AND r.deleted = 0
            """,
            type: type,
            id: id,
            [.text(type), .text(id)]
        ).first?.resource
    }

    /// The current version of a resource with its content hash, deleted or not.
    mutating func currentVersion(
        type: String,
        id: String
    ) throws(StoreError) -> (hash: [UInt8], resource: StoredResource)? {
        try self.versions(
            """
            SELECT v.version, v.recorded_at, v.content, v.content_hash, r.owner FROM resource r
                JOIN resource_version v ON v.type = r.type AND v.id = r.id AND v.version = r.version
            WHERE r.type = ? AND r.id = ?
            """,
            type: type,
            id: id,
            [.text(type), .text(id)]
        ).first
    }

    mutating func version(type: String, id: String, version: Int) throws(StoreError) -> StoredResource? {
        try self.versions(
            """
            SELECT v.version, v.recorded_at, v.content, v.content_hash, r.owner FROM resource_version v
                JOIN resource r ON r.type = v.type AND r.id = v.id
            WHERE v.type = ? AND v.id = ? AND v.version = ?
            """,
            type: type,
            id: id,
            [.text(type), .text(id), .integer(Int64(version))]
        ).first?.resource
    }

    /// Every version, newest first.
    mutating func history(type: String, id: String) throws(StoreError) -> [StoredResource] {
        try self.versions(
            """
            SELECT v.version, v.recorded_at, v.content, v.content_hash, r.owner FROM resource_version v
                JOIN resource r ON r.type = v.type AND r.id = v.id
            WHERE v.type = ? AND v.id = ? ORDER BY v.version DESC
            """,
            type: type,
            id: id,
            [.text(type), .text(id)]
        ).map(\.resource)
    }

    /// Reads rows of (version, recorded_at, content, content_hash, owner).
    private mutating func versions(
        _ sql: String,
        type: String,
        id: String,
        _ bindings: [SQLiteValue]
    ) throws(StoreError) -> [(hash: [UInt8], resource: StoredResource)] {
        try self.query(sql, bindings).map { row in
            (
                row.blob(3),
                StoredResource(
                    type: type,
                    id: id,
                    version: row.int(0),
                    owner: row.text(4) ?? "",
                    lastUpdated: Date(storeMilliseconds: row.integer(1) ?? 0),
                    content: row.blob(2)
                )
            )
        }
    }

    mutating func insertAudit(_ entry: AuditEntry) throws(StoreError) {
        try self.query(
            """
            INSERT INTO audit (at, action, outcome, sender, resource_ref, message_id, correlation_id, detail,
                agent_role, patient_ref, source_address)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .integer(entry.at.storeMilliseconds), .text(entry.action), .text(entry.outcome.rawValue),
                SQLiteValue(entry.sender), SQLiteValue(entry.resourceReference),
                entry.messageID.map { .integer($0) } ?? .null, SQLiteValue(entry.correlationID),
                SQLiteValue(entry.detail), SQLiteValue(entry.role), SQLiteValue(entry.patient),
                SQLiteValue(entry.source),
            ]
        )
    }

    /// Audit entries, newest first.
    /// The newest `limit` records, of those `condition` (SQL over the audit table's columns, never user
    /// text) admits.
    mutating func auditTrail(limit: Int, where condition: String = "TRUE") throws(StoreError) -> [AuditEntry] {
        try self.query(
            """
            SELECT at, action, outcome, sender, resource_ref, message_id, correlation_id, detail, id,
                agent_role, patient_ref, source_address
            FROM audit WHERE \(condition)
            ORDER BY id DESC LIMIT ?
            """,
            [.integer(Int64(limit))]
        ).map(Self.auditEntry)
    }
}
