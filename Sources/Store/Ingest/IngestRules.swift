import Crypto
import FHIRCore

/// What every backend decides the same way around an ingested message, kept apart from any SQL: the
/// content hash that detects an unchanged resource, the audit entry of each write, and which written
/// resources go to the normaliser.
enum IngestRules {
    static func contentHash(_ content: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(data: content))
    }

    /// The audit entry of one write, with the normaliser's `warnings` about its resource (codes, paths and
    /// references only, never content).
    static func auditEntry(
        for entry: Result<WriteResult, StoreError>,
        of write: ResourceWrite,
        message: ReceivedMessage,
        messageID: Int64,
        warnings: [String: [Issue]] = [:]
    ) -> AuditEntry {
        switch entry {
        case .success(let result):
            let issues = warnings[result.resource.reference] ?? []
            return AuditEntry(
                at: message.receivedAt,
                action: result.disposition.rawValue,
                outcome: .success,
                sender: message.sender,
                resourceReference: result.resource.versionedReference,
                messageID: messageID,
                correlationID: message.correlationID,
                detail: ([message.interaction] + issues.map { "\($0.code) \($0.path ?? ""): \($0.message)" })
                    .joined(separator: "; ")
            )
        case .failure(let error):
            return AuditEntry(
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
            guard let resource = write.resource, case .success(let result) = entry,
                result.disposition == .created || result.disposition == .updated
            else { return nil }
            return self.held(resource, id: result.resource.id, version: result.resource.version)
        }
    }

    /// The resources a message deleted, by key (`Type/id`), each with the versioned reference of its
    /// deletion: what the normaliser withdraws from episodes.
    static func withdrawn(_ entries: [Result<WriteResult, StoreError>]) -> [String: String] {
        var withdrawn: [String: String] = [:]
        for case .success(let result) in entries where result.disposition == .deleted {
            withdrawn[result.resource.reference] = result.resource.versionedReference
        }
        return withdrawn
    }

    /// A deletion of a resource that does not exist.
    static func notKnown(_ write: ResourceWrite, id: String) -> StoreError {
        let message = "\(write.type)/\(id) is not known"
        return StoreError(.notFound, message, publicMessage: message)
    }

    /// A written resource as the normaliser holds it: with the id and version it was stored under.
    static func held(_ resource: Element, id: String, version: Int) -> Element {
        var resource = resource
        resource.children.removeAll { $0.name == "id" }
        resource.children.insert(Element(name: "id", type: "id", value: id), at: 0)
        let versionID = Element(name: "versionId", type: "id", value: String(version))
        if let index = resource.children.firstIndex(where: { $0.name == "meta" }) {
            resource.children[index].children.removeAll { $0.name == "versionId" }
            resource.children[index].children.insert(versionID, at: 0)
        } else {
            resource.children.insert(Element(name: "meta", type: "Meta", children: [versionID]), at: 1)
        }
        return resource
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
            let message = "\(what) matched more than one \(write.type) of the sender"
            throw StoreError(.multipleMatches, message, publicMessage: message)
        }
        guard let id = matches.first else { return nil }
        try Self.requirePlannedID(id, of: write, proposedID: proposedID, "\(what) now matches \(write.type)/\(id)")
        return id
    }

    /// Refuses a write whose planned id is referenced elsewhere in its message but resolves to `id`: the
    /// server plans the message again and retries (``StoreError/Code/stalePlan``).
    static func requirePlannedID(
        _ id: String,
        of write: ResourceWrite,
        proposedID: String,
        _ reason: @autoclosure () -> String
    ) throws(StoreError) {
        if write.idIsReferenced && id != proposedID {
            throw StoreError(.stalePlan, "\(reason()), not the planned one; plan the message again")
        }
    }

    /// Where an update of `id` by `sender` lands: on the resource at `id`, on the sender's other resource
    /// that holds the write's business identifier, or on a new resource at `id`.
    enum UpdateTarget {
        case existing(ResourceHeader)
        case holder(ResourceHeader)
        case new
    }

    /// Decides an update of `id` from the resource at `id` and the sender's holder of the write's business
    /// identifier, as both backends read them.
    ///
    /// - Throws: ``StoreError/Code/idTaken`` when `id` is another sender's; ``StoreError/Code/versionConflict``
    ///   when `ifMatch` is not the current version; ``StoreError/Code/duplicate`` when an existing resource
    ///   would take an identifier another of the sender's resources holds; ``StoreError/Code/stalePlan``
    ///   when the write's planned id is referenced and the holder is another resource.
    static func updateTarget(
        of write: ResourceWrite,
        id: String,
        ifMatch: Int?,
        sender: String,
        existing: ResourceHeader?,
        holder: ResourceHeader?
    ) throws(StoreError) -> UpdateTarget {
        if let existing { try Self.requireOwner(existing.owner, of: write, id: id, sender: sender) }
        if let ifMatch, existing?.version != ifMatch {
            throw Self.versionConflict(write, id: id, ifMatch: ifMatch, current: existing?.version)
        }
        if let holder, holder.id != id {
            // The sender's business identifier already names another of its resources.
            guard existing == nil else { throw Self.identifierInUse(write, id: id) }
            try Self.requirePlannedID(
                holder.id,
                of: write,
                proposedID: id,
                "the identifier of \(write.type)/\(id) belongs to \(write.type)/\(holder.id)"
            )
            return .holder(holder)
        }
        return existing.map { .existing($0) } ?? .new
    }

    /// `If-Match` named another version than the current one (or there is none).
    static func versionConflict(_ write: ResourceWrite, id: String, ifMatch: Int, current: Int?) -> StoreError {
        let message =
            "If-Match names version \(ifMatch) of \(write.type)/\(id), but the current version is "
            + (current.map { "\($0)" } ?? "none")
        return StoreError(.versionConflict, message, publicMessage: message, currentVersion: current)
    }

    /// The sender's business identifier already names another of its resources of the type.
    static func identifierInUse(_ write: ResourceWrite, id: String) -> StoreError {
        let message =
            "the business identifier \(write.identifierKey ?? "") already names another \(write.type) of this sender"
        return StoreError(.duplicate, "\(write.type)/\(id): " + message, publicMessage: message)
    }

    /// Refuses to write under a gateway id that another sender's resource holds.
    static func requireOwner(_ owner: String, of write: ResourceWrite, id: String, sender: String) throws(StoreError) {
        guard owner != sender else { return }
        throw StoreError(
            .idTaken,
            "\(write.type)/\(id) belongs to sender '\(owner)', not '\(sender)'",
            publicMessage: "\(write.type)/\(id) cannot be written by this sender; send it under an id of your own"
        )
    }

    /// Refuses a sender id that the sender already uses for another resource than the one written.
    static func requireAlias(
        _ recorded: String?,
        of write: ResourceWrite,
        senderID: String,
        id: String
    ) throws(StoreError) {
        guard let recorded, recorded != id else { return }
        throw StoreError(
            .stalePlan,
            "the sender's \(write.type)/\(senderID) now stands for \(write.type)/\(recorded), not \(id)"
        )
    }
}
