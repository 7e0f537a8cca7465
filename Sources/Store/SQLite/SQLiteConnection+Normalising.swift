import CoManagement
import FHIRCore

extension SQLiteConnection {
    /// Normalises the written resources against the ledger's book and writes the episode changes and
    /// outbox rows, inside the caller's savepoint. The single writer is what serialises this step.
    ///
    /// - Returns: the new book; hand it to ``EpisodeLedger/adopt(_:stamp:)`` once the rest of the message
    ///   is written. Until then the ledger holds no book, so a message that fails after this point leaves
    ///   the next one to reload the book from what the database committed.
    mutating func normalise(
        _ resources: [Element],
        sender: String,
        messageID: Int64,
        at: Int64,
        ledger: EpisodeLedger
    ) throws(StoreError) -> EpisodeBook {
        var book: EpisodeBook
        if let held = ledger.take(at: 0) {
            book = held
        } else {
            book = try self.loadEpisodeBook()
        }
        let ingestion = ledger.normalise(resources, sender: sender, into: &book)
        guard !ingestion.isEmpty else { return book }
        try self.persist(ingestion, book: book, messageID: messageID, at: at)
        if let planning = ledger.planning {
            try self.planOutbox(ingestion, resources: resources, planning: planning, messageID: messageID, at: at)
        }
        return book
    }

    /// Evaluates the book's due dates at `time` and writes what fell overdue, with its outbox rows, as
    /// ``normalise(_:sender:messageID:at:ledger:)`` does for a message.
    mutating func evaluate(at time: FHIRInstant, at: Int64, ledger: EpisodeLedger) throws(StoreError) -> EpisodeBook {
        var book: EpisodeBook
        if let held = ledger.take(at: 0) {
            book = held
        } else {
            book = try self.loadEpisodeBook()
        }
        let ingestion = ledger.normaliser.reevaluate(at: time, book: &book)
        try self.persist(ingestion, book: book, messageID: nil, at: at)
        if let planning = ledger.planning {
            try self.planOutbox(ingestion, resources: [], planning: planning, messageID: nil, at: at)
        }
        return book
    }
}
