import CoManagement
import FHIRCore
import Synchronization

/// The normaliser and its ``EpisodeBook``, shared by the messages one store process writes.
///
/// Why a book in memory: it is the state every message is normalised against, and two messages about the
/// same patient must not both start from the same old book. Each backend serialises the step that takes
/// the book, normalises and writes the episode changes: SQLite's single writer runs one message at a time;
/// PostgreSQL takes a row lock on the database's book stamp (see ``PostgresStore``), which also orders
/// the replicas that share the database.
///
/// The book is loaded from the database before the first message (SQLite's writer loads it when it starts,
/// with ``loadFirst(_:)``, and the store is not ready until then; PostgreSQL loads it on first use) and
/// then kept in memory. A message takes it out (``take(at:)``), and its new book is put back
/// (``adopt(_:stamp:)``) only once everything of the message is written; a message that fails leaves the
/// ledger empty, so the next one reloads what the database really holds. The stamp names the database's
/// book the held one matches: a replica whose stamp differs from the database's (another replica wrote
/// since) reloads rather than normalise against a stale book.
///
/// - Important: one book holds every resource the gateway has normalised, in memory, and the first load
///   after start reads it all: memory and start time grow with the book. A message reaches the episodes
///   it touches through the book's index from source keys, so ingest does not slow as episodes accumulate.
///   Measurements: docs/performance.md, "Ingest".
final class EpisodeLedger: Sendable {
    let normaliser: Normaliser
    /// Only the writer holding the backend's serialisation touches it; the mutex makes that checkable.
    private let book = Mutex<(book: EpisodeBook, stamp: Int64)?>(nil)
    /// Whether the store has made its first load of the book (``loadFirst(_:)``), successful or not.
    private let loaded = Atomic<Bool>(false)

    let planning: (any OutboxPlanning)?

    init(normaliser: Normaliser, planning: (any OutboxPlanning)? = nil) {
        self.normaliser = normaliser
        self.planning = planning
    }

    /// Takes the book out when it matches the database's book `stamp`; nil (and the ledger emptied) when
    /// there is none or it is stale, and the caller must load the book from the database.
    ///
    /// Taking rather than copying leaves the normaliser the only reference, so it mutates the book's
    /// dictionaries in place (a copy would duplicate every held resource on each message). Every `take`
    /// must be followed by ``adopt(_:stamp:)`` or nothing.
    func take(at stamp: Int64) -> EpisodeBook? {
        self.book.withLock { held in
            guard let current = held.take(), current.stamp == stamp else { return nil }
            return current.book
        }
    }

    /// Runs the normaliser over the written resources against `book`, in place.
    func normalise(_ resources: [Element], sender: String, into book: inout EpisodeBook) -> Ingestion {
        let input = resources.count == 1 ? resources[0] : Self.collection(resources)
        return self.normaliser.ingest(input, sender: sender, into: &book)
    }

    /// Makes `book` current, as the database's book `stamp`: the message that produced it is written.
    func adopt(_ book: EpisodeBook, stamp: Int64 = 0) {
        self.book.withLock { $0 = (book, stamp) }
    }

    /// Loads the book with `load` unless one is held, and marks the first load made, whatever its outcome.
    /// A store calls it once, on its writer, before its first write: that load is the one every message
    /// would otherwise wait for after a start.
    func loadFirst(_ load: () throws(StoreError) -> EpisodeBook) throws(StoreError) {
        defer { self.loaded.store(true, ordering: .releasing) }
        guard self.book.withLock({ $0 == nil }) else { return }
        self.adopt(try load())
    }

    /// Whether the first load (``loadFirst(_:)``) has been made: until then the store is not ready.
    var isLoaded: Bool { self.loaded.load(ordering: .acquiring) }

    /// Forgets the in-memory book (a commit failed); the next write reloads it.
    func invalidate() {
        self.book.withLock { $0 = nil }
    }

    /// Several written resources as one `collection` Bundle, so the normaliser derives once.
    private static func collection(_ resources: [Element]) -> Element {
        Element(
            name: "Bundle",
            type: "Bundle",
            children: [Element(name: "type", type: "code", value: "collection")]
                + resources.map { resource in
                    var entry = resource
                    entry.name = "resource"
                    return Element(name: "entry", type: "Bundle.Entry", children: [entry])
                }
        )
    }
}
