import Logging

extension SQLiteStore {
    /// Queues `body` for the writer and returns its value once the group it ran in has committed.
    ///
    /// `body` runs on the thread pool inside a savepoint of the group transaction; if it throws, only its
    /// own savepoint is rolled back. Its value is handed back only after COMMIT returned, so a caller
    /// never acknowledges what is not durable.
    func write<Value: Sendable>(
        _ body: @escaping @Sendable (inout SQLiteConnection) throws(StoreError) -> Value
    ) async throws(StoreError) -> Value {
        let result: Result<Value, StoreError> = await withCheckedContinuation { continuation in
            let write = PendingWrite(
                perform: { connection in
                    do throws(StoreError) {
                        let value = try body(&connection)
                        return (
                            true,
                            { groupError in
                                continuation.resume(returning: groupError.map { .failure($0) } ?? .success(value))
                            }
                        )
                    } catch {
                        return (false, { _ in continuation.resume(returning: .failure(error)) })
                    }
                },
                fail: { error in continuation.resume(returning: .failure(error)) }
            )
            do throws(StoreError) {
                try self.queue.submit(write)
            } catch {
                continuation.resume(returning: .failure(error))
            }
        }
        return try result.get()
    }

    /// Runs one group of writes in one transaction and tells each write how it ended. Runs on the
    /// writer's thread (``run()``).
    func commit(_ group: [PendingWrite]) {
        let outcome: Result<[PendingWrite.Finish], StoreError>
        do throws(StoreError) {
            outcome = .success(
                try self.writer.withConnection { (connection: inout SQLiteConnection) throws(StoreError) in
                    try connection.runGroup(group)
                }
            )
        } catch {
            outcome = .failure(error)
        }
        switch outcome {
        case .success(let finishes):
            for finish in finishes { finish(nil) }
        case .failure(let error):
            // The partitions in memory moved ahead of what was rolled back; read them again when needed.
            self.ledger?.cache.clear()
            self.logger.error(
                "group commit failed",
                metadata: ["tandem.store.error": "\(error)", "tandem.store.groupSize": "\(group.count)"]
            )
            for write in group { write.fail(error) }
        }
    }
}

extension SQLiteConnection {
    /// BEGIN, each write in its own savepoint, COMMIT. Throws (after rolling back) when the group as a
    /// whole cannot commit; then no write of it is stored.
    mutating func runGroup(_ group: [PendingWrite]) throws(StoreError) -> [PendingWrite.Finish] {
        // IMMEDIATE: take the write lock now, so a busy database fails here rather than mid-group.
        // These statements run through `query`, prepared once per connection: `execute` would parse the
        // savepoint statements again for every write of every group.
        try self.query("BEGIN IMMEDIATE")
        do {
            var finishes: [PendingWrite.Finish] = []
            finishes.reserveCapacity(group.count)
            for write in group {
                try self.query("SAVEPOINT pending_write")
                let (succeeded, finish) = write.perform(&self)
                if !succeeded { try self.query("ROLLBACK TO pending_write") }
                try self.query("RELEASE pending_write")
                finishes.append(finish)
            }
            try self.query("COMMIT")
            return finishes
        } catch {
            try? self.execute("ROLLBACK")
            throw error
        }
    }
}
