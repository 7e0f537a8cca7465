import CoManagement
import Foundation
import Logging
import ServiceLifecycle
import Store
import Synchronization

/// The mappings this process runs, as a service: when it starts it records their version in the store (the
/// one every replica must run) and normalises again the referrals that earlier mappings left in no episode;
/// ``reload()`` (SIGHUP) reads the directory again and, when the files changed and load without error,
/// switches the store to them and does the same again. Mappings that fail to load leave the running ones
/// in place, each problem logged.
final class RunningMappings: Service, Sendable {
    private let directory: String
    private let store: any Store
    private let logger: Logger
    private let running: Mutex<MappingDirectory.Loaded>
    private let changes: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation
    /// Partitions normalised again per store write, so that messages keep their turn.
    private let batch = 16

    init(_ loaded: MappingDirectory.Loaded, directory: String, store: any Store, logger: Logger) {
        self.directory = directory
        self.store = store
        self.logger = logger
        self.running = Mutex(loaded)
        (self.changes, self.continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// The version running now.
    var version: String { self.running.withLock { $0.version } }

    func run() async throws {
        self.continuation.yield()
        await cancelWhenGracefulShutdown {
            for await _ in self.changes {
                await self.useRunning()
            }
        }
    }

    /// Reads the directory again; called for one signal at a time.
    func reload() async {
        let current = self.version
        let files: [MappingFile]
        do {
            files = try MappingDirectory.files(at: self.directory)
        } catch {
            self.logger.error("mappings not reloaded", metadata: ["tandem.error": .string("\(error)")])
            return
        }
        let version = MappingDirectory.version(of: files)
        guard version != current else {
            self.logger.info("mappings unchanged", metadata: ["tandem.mappingsVersion": .string(current)])
            return
        }
        do {
            let mappings = try MappingSet.load(files: files)
            self.running.withLock { $0 = MappingDirectory.Loaded(mappings: mappings, version: version) }
            self.logger.info(
                "mappings reloaded",
                metadata: [
                    "tandem.mappingsVersion": .string(version), "tandem.previousVersion": .string(current),
                    "tandem.serviceLines": .stringConvertible(mappings.serviceLines.count),
                ]
            )
            self.continuation.yield()
        } catch {
            for problem in error.problems {
                self.logger.error(
                    "mappings not reloaded",
                    metadata: ["tandem.problem": .string("\(self.directory)/\(problem)")]
                )
            }
        }
    }

    /// Switches the store to the running mappings, then normalises the unmatched referrals again.
    private func useRunning() async {
        let loaded = self.running.withLock { $0 }
        do {
            let changed = try await self.store.useMappings(
                Normaliser(mappings: loaded.mappings),
                version: loaded.version
            )
            if changed {
                self.logger.info(
                    "mappings version recorded for every replica",
                    metadata: ["tandem.mappingsVersion": .string(loaded.version)]
                )
            }
        } catch {
            self.logger.error(
                "the store could not switch mappings; the next reload tries again",
                metadata: ["tandem.error": .string(String(describing: error))]
            )
            return
        }
        var partitions = 0
        while !Task.isCancelled {
            do {
                let done = try await self.store.renormaliseUnmatched(limit: self.batch)
                if done == 0 { break }
                partitions += done
            } catch {
                self.logger.error(
                    "unmatched referrals could not be normalised again; the next reload tries again",
                    metadata: ["tandem.error": .string(String(describing: error))]
                )
                break
            }
        }
        if partitions > 0 {
            self.logger.info(
                "normalised again the referrals earlier mappings missed",
                metadata: ["tandem.partitions": .stringConvertible(partitions)]
            )
        }
    }
}
