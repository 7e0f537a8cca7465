import CoManagement
import FHIRCore
import Foundation
import NIOCore
import PostgresNIO

extension PostgresSession {
    /// Normalises the written resources against this replica's book, under the lock on the database's
    /// book (``lockEpisodeBook()``, taken at the start of the transaction, whose `stamp` it returned), and writes the episode changes and outbox rows (see ``PostgresStore`` for why a lock and a
    /// stamp).
    ///
    /// - Returns: the new book and the stamp the transaction writes for it; the caller hands both to
    ///   ``EpisodeLedger/adopt(_:stamp:)`` once the rest of the message is written.
    func normalise(
        _ resources: [Element],
        stamp: Int64,
        sender: String,
        messageID: Int64?,
        at: Int64,
        ledger: EpisodeLedger
    ) async throws(StoreError) -> (book: EpisodeBook, stamp: Int64) {
        var book: EpisodeBook
        if let held = ledger.take(at: stamp) {
            book = held
        } else {
            // Another replica wrote since this one's book was made (or there is none yet): reload.
            book = try await self.loadEpisodeBook()
        }
        let ingestion = ledger.normalise(resources, sender: sender, into: &book)
        guard !ingestion.isEmpty else { return (book, stamp) }
        try await self.persist(ingestion, book: book, messageID: messageID, at: at)
        if let planning = ledger.planning {
            try await self.planOutbox(ingestion, resources: resources, planning: planning, messageID: messageID, at: at)
        }
        let next = Int64.random(in: .min ... .max)
        let evaluated = try book.evaluatedAt.map { value throws(StoreError) in try EpisodeJSON.encode(value).bytea }
        try await self.query(
            "UPDATE episode_book SET evaluated_at = \(evaluated), version = version + 1, stamp = \(next) WHERE id = 1"
        )
        return (book, next)
    }

    /// Evaluates the book's due dates at `time` under the book lock and writes what fell overdue, with its
    /// outbox rows; returns the new book and its stamp for ``EpisodeLedger/adopt(_:stamp:)``.
    func evaluate(
        at time: FHIRInstant,
        at: Int64,
        ledger: EpisodeLedger
    ) async throws(StoreError) -> (
        book: EpisodeBook, stamp: Int64
    ) {
        let stamp = try await self.lockEpisodeBook()
        var book: EpisodeBook
        if let held = ledger.take(at: stamp) {
            book = held
        } else {
            book = try await self.loadEpisodeBook()
        }
        let ingestion = ledger.normaliser.reevaluate(at: time, book: &book)
        try await self.persist(ingestion, book: book, messageID: nil, at: at)
        if let planning = ledger.planning {
            try await self.planOutbox(ingestion, resources: [], planning: planning, messageID: nil, at: at)
        }
        let next = Int64.random(in: .min ... .max)
        let evaluated = try book.evaluatedAt.map { value throws(StoreError) in try EpisodeJSON.encode(value).bytea }
        try await self.query(
            "UPDATE episode_book SET evaluated_at = \(evaluated), version = version + 1, stamp = \(next) WHERE id = 1"
        )
        return (book, next)
    }

    /// Locks the database's book until the transaction ends (every replica then writes one message at a
    /// time, in commit order) and returns its stamp.
    func lockEpisodeBook() async throws(StoreError) -> Int64 {
        let locked = try await self.query("SELECT stamp FROM episode_book WHERE id = 1 FOR UPDATE").first
        guard let stamp = try locked?.columns(Int64.self) else {
            throw StoreError(.corrupt, "the episode_book row is missing")
        }
        return stamp
    }

    /// Rebuilds the normaliser's book from its rows (``EpisodeJSON/book(resources:episodes:evaluatedAt:)``).
    func loadEpisodeBook() async throws(StoreError) -> EpisodeBook {
        var resources: [(key: String, held: [UInt8], arrival: Int64)] = []
        for row in try await self.query("SELECT key, held, arrival FROM episode_resource ORDER BY key") {
            let (key, held, arrival) = try row.columns((String, ByteBuffer, Int64).self)
            resources.append((key, [UInt8](bytea: held), arrival))
        }
        var episodes: [(id: String, document: [UInt8])] = []
        for row in try await self.query("SELECT id, document FROM episode WHERE status != 'retired' ORDER BY id") {
            let (id, document) = try row.columns((String, ByteBuffer).self)
            episodes.append((id, [UInt8](bytea: document)))
        }
        let row = try await self.query("SELECT evaluated_at FROM episode_book WHERE id = 1").first
        let evaluated: ByteBuffer? = try row.flatMap { row throws(StoreError) in try row.columns(ByteBuffer?.self) }
        return try EpisodeJSON.book(resources: resources, episodes: episodes, evaluatedAt: [UInt8](bytea: evaluated))
    }

    /// Writes what one normalisation changed: the held resources it stored, each changed episode's
    /// document and new timeline events (a re-keyed episode's events move to its new id), retired episodes.
    private func persist(
        _ ingestion: Ingestion,
        book: EpisodeBook,
        messageID: Int64?,
        at: Int64
    ) async throws(StoreError) {
        for key in ingestion.storedKeys {
            guard let held = book.resources[key] else { continue }
            try await self.query(
                """
                INSERT INTO episode_resource (key, held, arrival)
                VALUES (\(key), \(try EpisodeJSON.encode(held).bytea), \(Int64(held.arrival)))
                ON CONFLICT (key) DO UPDATE SET held = excluded.held, arrival = excluded.arrival
                """
            )
        }
        for change in ingestion.changes {
            try await self.write(change, messageID: messageID, at: at)
        }
        if !ingestion.retiredEpisodeIDs.isEmpty {
            try await self.query(
                "UPDATE episode SET status = 'retired', updated_at = \(at) WHERE id = ANY(\(ingestion.retiredEpisodeIDs))"
            )
            try await self.query("DELETE FROM episode_member WHERE episode_id = ANY(\(ingestion.retiredEpisodeIDs))")
        }
    }

    /// Makes `references` the resources the episode holds, writing only the rows that change.
    func replaceMembers(of episodeID: String, with references: [String]) async throws(StoreError) {
        try await self.query(
            """
            DELETE FROM episode_member WHERE episode_id = \(episodeID) AND NOT (reference = ANY(\(references)))
            """
        )
        guard !references.isEmpty else { return }
        try await self.query(
            """
            INSERT INTO episode_member (episode_id, reference, owner)
            SELECT \(episodeID), n.reference, r.owner FROM unnest(\(references)::text[]) AS n(reference)
            LEFT JOIN resource r ON r.type = split_part(n.reference, '/', 1) AND r.id = split_part(n.reference, '/', 2)
            ON CONFLICT (episode_id, reference) DO NOTHING
            """
        )
    }

    /// Writes one episode change: the episode's document and the change's new timeline events (a re-keyed
    /// episode's events move to its new id). A timeline event number the episode already has fails with
    /// ``StoreError/Code/duplicate``.
    func write(_ change: Ingestion.EpisodeChange, messageID: Int64?, at: Int64) async throws(StoreError) {
        let episode = change.episode
        try await self.upsertEpisode(
            id: change.episodeID,
            patientKey: episode.patient.key,
            serviceLine: episode.serviceLine,
            status: episode.status.rawValue,
            document: try EpisodeJSON.encode(episode),
            at: at
        )
        try await self.replaceMembers(of: change.episodeID, with: episode.memberReferences)
        if let previous = change.previousEpisodeID, previous != change.episodeID {
            try await self.query(
                "UPDATE episode_event SET episode_id = \(change.episodeID) WHERE episode_id = \(previous)"
            )
            try await self.query("DELETE FROM episode WHERE id = \(previous)")
            try await self.replaceMembers(of: previous, with: [])
        }
        for event in change.events {
            try await self.insertEvent(
                episodeID: change.episodeID,
                number: event.number,
                kind: event.kind.rawValue,
                payload: try EpisodeJSON.encode(event),
                messageID: messageID,
                at: at
            )
        }
    }

    func upsertEpisode(
        id: String,
        patientKey: String,
        serviceLine: String,
        status: String,
        document: [UInt8],
        at: Int64
    ) async throws(StoreError) {
        try await self.query(
            """
            INSERT INTO episode (id, patient_key, service_line, status, document, updated_at)
            VALUES (\(id), \(patientKey), \(serviceLine), \(status), \(document.bytea), \(at))
            ON CONFLICT (id) DO UPDATE SET patient_key = excluded.patient_key, service_line = excluded.service_line,
                status = excluded.status, document = excluded.document, updated_at = excluded.updated_at
            """
        )
    }

    /// Appends one timeline event; a number the episode already has fails with ``StoreError/Code/duplicate``.
    func insertEvent(
        episodeID: String,
        number: Int,
        kind: String,
        payload: [UInt8],
        messageID: Int64?,
        at: Int64
    ) async throws(StoreError) {
        try await self.query(
            """
            INSERT INTO episode_event (episode_id, number, kind, payload, message_id, recorded_at)
            VALUES (\(episodeID), \(Int64(number)), \(kind), \(payload.bytea), \(messageID), \(at))
            """
        )
    }
}
