import CoManagement
import FHIRCore
import Synchronization

/// The normaliser and its ``EpisodeBook``, owned by the store's single writer.
///
/// Why inside the writer: the book is the state every message is normalised against, and two messages
/// about the same patient must not both start from the same old book. The writer already runs one
/// message at a time, so normalising there serialises exactly the messages that must be serialised
/// (and, cheaply, the rest), and the episode changes commit in the same transaction as the message.
///
/// The book is loaded from the database on first use and then kept in memory; each message's new book
/// replaces it only once everything of the message is written, and a group commit that fails drops it
/// (``invalidate()``) so the next write reloads what the database really holds.
///
/// - Important: one book holds every resource the gateway has normalised, in memory, and the first
///   write after start loads it all. `Normaliser.rederive` still makes passes over every episode of the
///   book per message, so ingest slows as episodes accumulate (`scripts/bench-ingest.sh`: about 400
///   requests/s falling to about 100 after ten thousand episodes). Partitioning the book, or an index
///   from source keys to episodes in the normaliser, is the next step.
final class EpisodeLedger: Sendable {
    let normaliser: Normaliser
    /// Only the writer touches it (under the writer connection's lock); the mutex makes that checkable.
    private let book = Mutex<EpisodeBook?>(nil)

    let planning: OutboxPlanning?

    init(normaliser: Normaliser, planning: OutboxPlanning? = nil) {
        self.normaliser = normaliser
        self.planning = planning
    }

    /// Normalises the written resources against the current book and writes the episode changes on
    /// `connection`, inside the caller's savepoint.
    ///
    /// - Returns: the new book; hand it to ``adopt(_:)`` once the rest of the message is written. Until
    ///   then the ledger holds no book, so every normalisation must be followed by `adopt` or nothing.
    func normalise(
        _ resources: [Element],
        sender: String,
        messageID: Int64,
        at: Int64,
        on connection: inout SQLiteConnection
    ) throws(StoreError) -> EpisodeBook {
        // Take the book out rather than copy it: the only reference lets the normaliser mutate its
        // dictionaries in place (a copy would duplicate every held resource on each message). Until
        // ``adopt(_:)`` puts it back the ledger holds none, so a message that fails after this point
        // leaves the next one to reload the book from what the database committed.
        var book: EpisodeBook
        if let current = self.book.withLock({ $0.take() }) {
            book = current
        } else {
            book = try connection.loadEpisodeBook()
        }
        let input = resources.count == 1 ? resources[0] : Self.collection(resources)
        let ingestion = self.normaliser.ingest(input, sender: sender, into: &book)
        guard !ingestion.isEmpty else { return book }
        // The ledger holds no book while this runs; a throw here means the next message reloads it.
        try connection.persist(ingestion, book: book, messageID: messageID, at: at)
        if let planning = self.planning {
            try connection.planOutbox(ingestion, resources: resources, planning: planning, messageID: messageID, at: at)
        }
        return book
    }

    /// Makes `book` current: the message that produced it is written.
    func adopt(_ book: EpisodeBook) {
        self.book.withLock { $0 = book }
    }

    /// Forgets the in-memory book (a group commit failed); the next write reloads it.
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
