import Crypto
import FHIRCore

/// What every backend decides the same way around an ingested message, kept apart from any SQL: the
/// content hash that detects an unchanged resource, the audit entry of each write, and which written
/// resources go to the normaliser.
enum IngestRules {
    static func contentHash(_ content: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(data: content))
    }

    static func auditEntry(
        for entry: Result<WriteResult, StoreError>,
        of write: ResourceWrite,
        message: ReceivedMessage,
        messageID: Int64
    ) -> AuditEntry {
        switch entry {
        case .success(let result):
            AuditEntry(
                at: message.receivedAt,
                action: result.disposition.rawValue,
                outcome: .success,
                sender: message.sender,
                resourceReference: result.resource.versionedReference,
                messageID: messageID,
                correlationID: message.correlationID,
                detail: message.interaction
            )
        case .failure(let error):
            AuditEntry(
                at: message.receivedAt,
                action: "rejected",
                outcome: .minorFailure,
                sender: message.sender,
                resourceReference: write.type,
                messageID: messageID,
                correlationID: message.correlationID,
                detail: "\(message.interaction): \(error.code)"
            )
        }
    }

    /// The resources a message created or changed, as stored: with the id the store gave them and
    /// `meta.versionId`, so the normaliser holds them under `Type/id` and orders their versions.
    /// Unchanged and matched writes changed nothing and are left out.
    static func normalisable(_ writes: [ResourceWrite], _ entries: [Result<WriteResult, StoreError>]) -> [Element] {
        zip(writes, entries).compactMap { write, entry in
            guard var resource = write.resource, case .success(let result) = entry,
                result.disposition == .created || result.disposition == .updated
            else { return nil }
            resource.children.removeAll { $0.name == "id" }
            resource.children.insert(Element(name: "id", type: "id", value: result.resource.id), at: 0)
            let version = Element(name: "versionId", type: "id", value: String(result.resource.version))
            if let index = resource.children.firstIndex(where: { $0.name == "meta" }) {
                resource.children[index].children.removeAll { $0.name == "versionId" }
                resource.children[index].children.insert(version, at: 0)
            } else {
                resource.children.insert(Element(name: "meta", type: "Meta", children: [version]), at: 1)
            }
            return resource
        }
    }

    /// The one resource a conditional write (`If-None-Exist`, conditional update) matched, or nil for none.
    ///
    /// - Throws: ``StoreError/Code/multipleMatches`` for more than one match; ``StoreError/Code/duplicate``
    ///   when the write's planned id is referenced elsewhere in its message and the match is another id.
    static func conditionalMatch(
        _ matches: [String],
        of write: ResourceWrite,
        proposedID: String,
        _ what: String
    ) throws(StoreError) -> String? {
        if matches.count > 1 {
            throw StoreError(.multipleMatches, "\(what) matched more than one \(write.type)")
        }
        guard let id = matches.first else { return nil }
        try Self.requirePlannedID(id, of: write, proposedID: proposedID, "\(what) now matches \(write.type)/\(id)")
        return id
    }

    /// Refuses a write whose planned id is referenced elsewhere in its message but resolves to `id`: the
    /// server plans the message again and retries.
    static func requirePlannedID(
        _ id: String,
        of write: ResourceWrite,
        proposedID: String,
        _ reason: @autoclosure () -> String
    ) throws(StoreError) {
        if write.idIsReferenced && id != proposedID {
            throw StoreError(.duplicate, "\(reason()), not the planned one; retry the transaction")
        }
    }
}
