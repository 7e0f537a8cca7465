import FHIRCore
import HTTPTypes
import Store

/// The store writes one sender's message turns into, and which Bundle entry each write answers.
///
/// Planning settles every id before the store is asked to write: the gateway id of each entry (from the
/// sender's own id, a conditional match, the holder of the sender's business identifier, or a new one)
/// and the gateway id every reference names (``ReferenceRewriter``). The writer checks the decisions
/// again inside the commit; when a concurrent message changed what they rest on, it refuses with
/// ``StoreError/Code/stalePlan`` and the route plans again.
struct WritePlan: Sendable {
    /// What happens to one Bundle entry.
    enum Slot: Sendable {
        /// The entry is the store write at this index of ``writes``.
        case write(Int)
        /// The entry was refused before reaching the store (batch only).
        case failed(FHIRError)
    }

    var slots: [Slot]
    var writes: [ResourceWrite]

    /// Plans writes that succeed or fail together (a create, an update, a transaction, the resources of a
    /// message): ids assigned, references between entries and into the sender's namespace rewritten.
    ///
    /// - Throws: ``FHIRError`` 412 when a conditional request matches several resources, 400 when a
    ///   `urn:uuid:` reference names no entry, or a store failure.
    static func atomic(_ entries: [BundleEntry], sender: String, store: any Store) async throws -> WritePlan {
        let namespace = try await Self.namespace(for: entries, sender: sender, store: store)
        var rewriter = ReferenceRewriter(namespace: namespace)
        var ids: [String] = []
        for entry in entries {
            // Nothing can refer to the id of a lone entry without an id or fullUrl of the sender's.
            let unreferable = entries.count == 1 && entry.senderID == nil && entry.fullUrl == nil
            let id = try await Self.plannedID(
                of: entry,
                namespace: namespace,
                store: store,
                unreferable: unreferable
            )
            ids.append(id)
            if let fullUrl = entry.fullUrl { rewriter.map(fullUrl: fullUrl, to: "\(entry.type)/\(id)") }
            if let senderID = entry.senderID {
                rewriter.map(entry: ResourceName(type: entry.type, id: senderID), to: "\(entry.type)/\(id)")
            }
        }
        var findings = ReferenceRewriter.Findings()
        var resources = entries.map(\.resource)
        for index in resources.indices { rewriter.rewrite(&resources[index], &findings) }
        if let unresolved = findings.unresolved.first {
            throw FHIRError(
                .badRequest,
                .notFound,
                "the reference '\(unresolved)' names no entry of the Bundle",
                path: "Bundle.entry.resource"
            )
        }
        var writes: [ResourceWrite] = []
        for (index, entry) in entries.enumerated() {
            var rewritten = entry
            rewritten.resource = resources[index]
            let referenced = findings.entryReferences.contains("\(entry.type)/\(ids[index])")
            writes.append(Self.write(rewritten, id: ids[index], referenced: referenced))
        }
        return WritePlan(slots: writes.indices.map { .write($0) }, writes: writes)
    }

    /// Plans a batch: each entry on its own (batch entries must not depend on each other,
    /// https://hl7.org/fhir/R4/http.html#brules), its references resolved in the sender's namespace.
    static func batch(
        _ entries: [Result<BundleEntry, FHIRError>],
        sender: String,
        store: any Store
    ) async throws
        -> WritePlan
    {
        var plan = WritePlan(slots: [], writes: [])
        for entry in entries {
            switch entry {
            case .success(let entry):
                do {
                    let single = try await Self.atomic([entry], sender: sender, store: store)
                    plan.slots.append(.write(plan.writes.count))
                    plan.writes += single.writes
                } catch let error as FHIRError {
                    plan.slots.append(.failed(error))
                }
            case .failure(let error):
                plan.slots.append(.failed(error))
            }
        }
        return plan
    }

    /// The sender's namespace over every name the entries use: their own ids and their references.
    private static func namespace(
        for entries: [BundleEntry],
        sender: String,
        store: any Store
    ) async throws -> SenderNamespace {
        var names: Set<ResourceName> = []
        for entry in entries {
            if let senderID = entry.senderID { names.insert(ResourceName(type: entry.type, id: senderID)) }
            names.formUnion(ReferenceRewriter.names(in: entry.resource))
        }
        return SenderNamespace(sender: sender, lookup: try await store.lookUp(names, sender: sender))
    }

    /// The gateway id an entry will have once written, as far as the store's current state tells.
    ///
    /// An `unreferable` entry's id appears nowhere else in its message, so the store may land its write on
    /// the holder of its business identifier without a plan naming it (``Store/normalisesAhead``).
    private static func plannedID(
        of entry: BundleEntry,
        namespace: SenderNamespace,
        store: any Store,
        unreferable: Bool
    ) async throws -> String {
        let own = entry.senderID.map { ResourceName(type: entry.type, id: $0) }
        switch entry.action {
        case .create(let ifNoneExist):
            if let token = ifNoneExist, let match = try await Self.match(entry, token, namespace, store) {
                return match
            }
            if let own, namespace.ownResource(own) != nil { return namespace.writeTarget(own) }
            if !unreferable || store.normalisesAhead, let key = ResourceCodec.identifierKey(of: entry.resource),
                let holder = try await store.resourceID(type: entry.type, identifierKey: key, owner: namespace.sender)
            {
                return holder
            }
            return own.map(namespace.writeTarget) ?? RouteInput.newID()
        case .update:
            // BundleEntry and the routes guarantee an update carries the sender's id.
            return namespace.writeTarget(own ?? ResourceName(type: entry.type, id: RouteInput.newID()))
        case .conditionalUpdate(let token):
            return try await Self.match(entry, token, namespace, store) ?? own.map(namespace.writeTarget)
                ?? RouteInput.newID()
        }
    }

    /// The one current resource of the sender carrying the identifier token; nil for none; 412 for several.
    private static func match(
        _ entry: BundleEntry,
        _ token: String,
        _ namespace: SenderNamespace,
        _ store: any Store
    ) async throws -> String? {
        let matches = try await store.search(type: entry.type, identifier: token, owner: namespace.sender)
        guard matches.count <= 1 else {
            throw FHIRError(
                .preconditionFailed,
                .multipleMatches,
                "Bundle.entry[\(entry.index)]: the condition matches more than one \(entry.type)"
            )
        }
        return matches.first?.id
    }

    private static func write(_ entry: BundleEntry, id: String, referenced: Bool) -> ResourceWrite {
        let mode: ResourceWrite.Mode =
            switch entry.action {
            case .create(let ifNoneExist): .create(proposedID: id, ifNoneExist: ifNoneExist)
            case .update(_, let ifMatch): .update(id: id, ifMatch: ifMatch)
            case .conditionalUpdate(let token): .conditionalUpdate(identifier: token, proposedID: id)
            }
        return ResourceWrite(
            type: entry.type,
            mode: mode,
            content: ResourceCodec.storedContent(of: entry.resource),
            identifierKey: ResourceCodec.identifierKey(of: entry.resource),
            identifiers: ResourceCodec.identifierTokens(of: entry.resource),
            searchTokens: SearchIndex.tokens(of: entry.resource),
            idIsReferenced: referenced,
            senderID: entry.senderID,
            resource: entry.resource
        )
    }
}
