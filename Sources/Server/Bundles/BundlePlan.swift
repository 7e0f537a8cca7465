import FHIRCore
import HTTPTypes
import Store

/// The store writes a Bundle turns into, and which Bundle entry each write answers.
///
/// A transaction (or message) is planned against the store's current state: conditional matches and
/// business-identifier holders are looked up first, so that references to those entries can be
/// rewritten to the ids they will have. The writer checks each planned id again inside the commit
/// (``ResourceWrite/idIsReferenced``); when a concurrent message got there first the store refuses
/// with ``StoreError/Code/duplicate`` and the route plans again.
struct BundlePlan: Sendable {
    /// What happens to one Bundle entry.
    enum Slot: Sendable {
        /// The entry is the store write at this index of ``writes``.
        case write(Int)
        /// The entry was refused before reaching the store (batch only).
        case failed(FHIRError)
    }

    var slots: [Slot]
    var writes: [ResourceWrite]

    /// Whether a write carries an id that other entries' references were rewritten to.
    var hasPlannedReferences: Bool { self.writes.contains { $0.idIsReferenced } }

    /// Plans an atomic Bundle (transaction, or the resources of a message): ids assigned, references
    /// between entries rewritten.
    ///
    /// - Throws: ``FHIRError`` 412 when a conditional request matches several resources, 400 when a
    ///   `urn:uuid:` reference names no entry, or a store failure.
    static func atomic(_ entries: [BundleEntry], store: any Store) async throws -> BundlePlan {
        var ids: [String] = []
        var rewriter = ReferenceRewriter()
        for entry in entries {
            let id = try await Self.plannedID(of: entry, store: store)
            ids.append(id)
            if let fullUrl = entry.fullUrl { rewriter.map(fullUrl: fullUrl, to: "\(entry.type)/\(id)") }
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
        let referenced = Set(findings.resolved.compactMap { rewriter.targets[$0] })
        var writes: [ResourceWrite] = []
        for (index, entry) in entries.enumerated() {
            var rewritten = entry
            rewritten.resource = resources[index]
            writes.append(
                Self.write(rewritten, id: ids[index], referenced: referenced.contains("\(entry.type)/\(ids[index])"))
            )
        }
        return BundlePlan(slots: writes.indices.map { .write($0) }, writes: writes)
    }

    /// Plans a batch: each entry on its own, no references rewritten (batch entries must not depend on
    /// each other, https://hl7.org/fhir/R4/http.html#brules).
    static func batch(_ entries: [Result<BundleEntry, FHIRError>]) -> BundlePlan {
        var plan = BundlePlan(slots: [], writes: [])
        for entry in entries {
            switch entry {
            case .success(let entry):
                plan.slots.append(.write(plan.writes.count))
                plan.writes.append(Self.write(entry, id: Self.defaultID(of: entry), referenced: false))
            case .failure(let error):
                plan.slots.append(.failed(error))
            }
        }
        return plan
    }

    /// The id an entry will have once written, as far as the store's current state tells.
    private static func plannedID(of entry: BundleEntry, store: any Store) async throws -> String {
        switch entry.action {
        case .create(let ifNoneExist):
            if let token = ifNoneExist, let match = try await Self.match(entry, token, store: store) {
                return match
            }
            if let key = ResourceCodec.identifierKey(of: entry.resource),
                let holder = try await store.resourceID(type: entry.type, identifierKey: key)
            {
                return holder
            }
            return RouteInput.newID()
        case .update(let id, _):
            return id
        case .conditionalUpdate(let token):
            return try await Self.match(entry, token, store: store) ?? Self.defaultID(of: entry)
        }
    }

    /// The one current resource carrying the identifier token; nil for none; 412 for several.
    private static func match(_ entry: BundleEntry, _ token: String, store: any Store) async throws -> String? {
        let matches = try await store.search(type: entry.type, identifier: token)
        guard matches.count <= 1 else {
            throw FHIRError(
                .preconditionFailed,
                .multipleMatches,
                "Bundle.entry[\(entry.index)]: the condition matches more than one \(entry.type)"
            )
        }
        return matches.first?.id
    }

    /// The id without looking at the store: the URL's for an update, the body's for a conditional
    /// update (update as create, R4 §3.1.0.4.3), else a new one.
    private static func defaultID(of entry: BundleEntry) -> String {
        switch entry.action {
        case .update(let id, _): id
        case .conditionalUpdate: entry.resource.resourceID ?? RouteInput.newID()
        case .create: RouteInput.newID()
        }
    }

    private static func write(_ entry: BundleEntry, id: String, referenced: Bool) -> ResourceWrite {
        let mode: ResourceWrite.Mode =
            switch entry.action {
            case .create(let ifNoneExist): .create(proposedID: id, ifNoneExist: ifNoneExist)
            case .update(let id, let ifMatch): .update(id: id, ifMatch: ifMatch)
            case .conditionalUpdate(let token): .conditionalUpdate(identifier: token, proposedID: id)
            }
        return ResourceWrite(
            type: entry.type,
            mode: mode,
            content: ResourceCodec.storedContent(of: entry.resource),
            identifierKey: ResourceCodec.identifierKey(of: entry.resource),
            identifiers: ResourceCodec.identifierTokens(of: entry.resource),
            idIsReferenced: referenced
        )
    }
}
