import CoManagement
public import Logging
public import ServiceLifecycle

/// The timers of `tandem serve`, as a service: every ``Configuration/interval`` it reads the ``WallClock``
/// and has the store evaluate the partitions whose deadlines passed (``Store/fireDueTimers(at:limit:)``),
/// a batch per store write, until none is due. The deadlines live in the store beside each partition, so
/// a timer survives a restart, and one whose time passed while the gateway was down fires on its first
/// run: late rather than never.
public struct DueTimers: Service {
    public struct Configuration: Sendable, Hashable {
        /// How often the clock is read.
        public var interval: Duration
        /// Partitions evaluated per store write, so that messages keep their turn.
        public var batch: Int

        public init(interval: Duration = .seconds(15), batch: Int = 4) {
            self.interval = interval
            self.batch = batch
        }
    }

    private let store: any Store
    private let clock: any WallClock
    private let configuration: Configuration
    private let logger: Logger
    /// Told of every run that evaluated something (metrics).
    private let fired: @Sendable (FiredTimers) -> Void

    public init(
        store: any Store,
        clock: any WallClock,
        configuration: Configuration = Configuration(),
        logger: Logger,
        fired: @escaping @Sendable (FiredTimers) -> Void = { _ in }
    ) {
        self.store = store
        self.clock = clock
        self.configuration = configuration
        self.logger = logger
        self.fired = fired
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.fireDue()
                try? await Task.sleep(for: self.configuration.interval)
            }
        }
    }

    /// Fires every timer due now, a batch at a time; a store error is logged and retried on the next run.
    ///
    /// After each batch it waits as long as the batch took, so that a backlog of due partitions (after a
    /// restart, or under a flood of referrals whose deadlines already passed) takes at most half of the
    /// store's writer and messages keep their latency.
    public func fireDue() async {
        let now = self.clock.now()
        while !Task.isCancelled {
            do {
                let started = ContinuousClock.now
                let run = try await self.store.fireDueTimers(at: now, limit: self.configuration.batch)
                guard run.partitions > 0 else { return }
                self.fired(run)
                if !run.events.isEmpty {
                    self.logger.info(
                        "timers fired",
                        metadata: [
                            "tandem.partitions": .stringConvertible(run.partitions),
                            "tandem.events": .stringConvertible(run.events.count),
                            "tandem.at": .string(now.fhirText),
                        ]
                    )
                }
                if run.partitions < self.configuration.batch { return }
                try? await Task.sleep(for: ContinuousClock.now - started)
            } catch {
                self.logger.error("timers not fired", metadata: ["tandem.error": .string("\(error)")])
                return
            }
        }
    }
}
