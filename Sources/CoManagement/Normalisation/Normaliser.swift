public import FHIRCore

/// Turns FHIR resources into co-management episode changes, using the ``MappingSet``.
///
/// Pure: resources and the book in, changes out; no clock (time is passed to ``reevaluate(at:book:)``),
/// no I/O. Resources may come alone or in Bundles (transaction, batch, collection, message: every entry
/// resource is held, and entries reference each other by `fullUrl`), in any order.
public struct Normaliser: Sendable {
    public let mappings: MappingSet

    public init(mappings: MappingSet) {
        self.mappings = mappings
    }

    /// Adds a resource (or a Bundle's entries) to the book and records what changed.
    ///
    /// Identical content re-sent changes nothing and yields no events. A version older than the one
    /// held (by `meta.versionId`, else `meta.lastUpdated`, else lifecycle `status`) is ignored with a
    /// warning, so the final state does not depend on the order messages arrived in.
    /// - Parameters:
    ///   - resource: the root of a parsed resource.
    ///   - sender: the authenticated sender's name, which selects `Mappings/senders/NAME.json`.
    public func ingest(_ resource: Element, sender: String?, into book: inout EpisodeBook) -> Ingestion {
        var outcome = Outcome()
        var stored: [String] = []
        for (entry, fullUrl) in Self.entries(of: resource, &outcome) {
            let key = HeldResource.key(for: entry, fullUrl: fullUrl)
            let candidate = HeldResource(
                key: key,
                fullUrl: fullUrl,
                sender: sender,
                resource: entry,
                arrival: book.arrivals
            )
            if let held = book.resources[key] {
                if held.resource == entry && held.sender == sender && held.fullUrl == fullUrl { continue }
                if candidate.isOlder(than: held) {
                    outcome.append(
                        Issue(
                            .warning,
                            .conflict,
                            path: entry.type,
                            "\(key): older than the version held (by meta.versionId, meta.lastUpdated or status); ignored"
                        )
                    )
                    continue
                }
            }
            book.arrivals += 1
            book.store(candidate)
            stored.append(key)
        }
        guard !stored.isEmpty else {
            outcome.append(Issue(.information, .informational, path: nil, "content already held; nothing changed"))
            return Ingestion(changes: [], retiredEpisodeIDs: [], storedKeys: [], outcome: outcome)
        }
        return self.rederive(&book, causes: stored, outcome: outcome)
    }

    /// Derives the book's episodes again after the caller stored resources in it with
    /// ``EpisodeBook/store(_:)`` (a shared resource, such as a practitioner, that changed elsewhere), and
    /// records what changed, attributed to `keys`.
    public func refresh(_ book: inout EpisodeBook, after keys: [String]) -> Ingestion {
        self.rederive(&book, causes: keys, outcome: Outcome())
    }

    /// Recomputes overdue activities and reports against `time` and records what fell overdue.
    ///
    /// An activity is overdue past its `dueBy` unless completed or cancelled; a report is overdue
    /// `dueDaysAfterHandoff` days after the handoff unless returned.
    public func reevaluate(at time: FHIRInstant, book: inout EpisodeBook) -> Ingestion {
        book.evaluatedAt = time
        return self.rederive(&book, causes: [], outcome: Outcome())
    }

    /// The resources a message carries, with their `fullUrl`s: a Bundle's entries, or itself.
    static func entries(of resource: Element, _ outcome: inout Outcome) -> [(Element, String?)] {
        guard resource.type == "Bundle" else { return [(resource, nil)] }
        let type = resource.string("type") ?? ""
        guard !["transaction-response", "batch-response"].contains(type) else {
            outcome.append(
                Issue(
                    .warning,
                    .notSupported,
                    path: "Bundle.type",
                    "a \(type) Bundle carries no resources to normalise"
                )
            )
            return []
        }
        var result: [(Element, String?)] = []
        for (index, entry) in resource.children(named: "entry").enumerated() {
            if entry.child("request")?.string("method") == "DELETE" {
                outcome.append(
                    Issue(
                        .warning,
                        .notSupported,
                        path: "Bundle.entry[\(index)].request",
                        "DELETE entries are not applied to episodes"
                    )
                )
                continue
            }
            guard let inner = entry.child("resource") else { continue }
            result += Self.entries(of: inner, &outcome).map { ($0.0, $0.1 ?? entry.string("fullUrl")) }
        }
        return result
    }
}
