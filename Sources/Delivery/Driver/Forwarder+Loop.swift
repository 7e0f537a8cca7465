extension Forwarder {
    /// The forwarder's bookkeeping, apart from the tasks it starts: what is claimed, in flight and being
    /// recorded, and so when to claim again. Pure, so the claiming rules read in one place.
    struct Loop {
        let configuration: Configuration
        /// Claimed runs waiting for a slot, oldest first.
        private(set) var ready: [Run] = []
        private(set) var inFlight = 0
        /// Runs attempted whose outcomes are not recorded yet: waiting in ``unrecorded`` or being recorded.
        private(set) var recording = 0
        /// Outcomes of runs attempted since the last recording started, in the order the runs finished.
        private(set) var unrecorded = Run.Result()
        /// A run in ``unrecorded`` may leave rows of its stream claimable once recorded: it gave rows back, or
        /// it was as long as a run may be, so its stream may hold more.
        private(set) var unrecordedFreesRows = false
        /// The same for the recording under way.
        private(set) var recordingFreesRows = false
        /// A recording (one store call) is under way.
        private(set) var recordingInFlight = false
        private(set) var claiming = false
        /// The last claim found fewer due rows than it asked for: claim again only once something may
        /// have changed (an outcome recorded frees its stream's next row; a tick brings new or due rows).
        private(set) var exhausted = false
        /// A tick (the doorbell or the poll interval) came since the last claim: any room is worth a claim.
        private(set) var woken = true
        /// A tick task (doorbell or poll interval) is running.
        private(set) var ticking = false

        init(configuration: Configuration) {
            self.configuration = configuration
        }

        /// Runs in flight and claimed waiting for a slot: three times as many waiting as there are slots.
        /// Claims are serial and each waits under load (a group commit of SQLite's one writer, a turn on the
        /// cooperative pool); with as many waiting as slots, claims could not keep the slots busy
        /// (docs/performance.md, "Outbox and delivery").
        private var capacity: Int { 4 * self.configuration.concurrency }

        /// The next claimed run to attempt, when a slot is free; counts it in flight.
        mutating func nextAttempt() -> Run? {
            guard self.inFlight < self.configuration.concurrency, !self.ready.isEmpty else { return nil }
            self.inFlight += 1
            return self.ready.removeFirst()
        }

        /// The limit (in streams) of a claim to start now, or nil. One claim at a time; none while as many
        /// outcomes wait to be recorded as there are slots (a slow store then slows claiming instead of
        /// leasing ever more rows); otherwise a claim once a batch of room is free, or any room after a tick.
        mutating func claimToStart() -> Int? {
            let room = self.capacity - self.inFlight - self.ready.count
            guard !self.claiming, self.recording < self.configuration.concurrency, room > 0,
                self.woken || (!self.exhausted && room >= self.configuration.claimBatch)
            else { return nil }
            self.claiming = true
            self.woken = false
            return room
        }

        /// A claim returned; `asked` is the limit of streams it was made with.
        mutating func claimed(_ runs: [Run], asked: Int) {
            self.claiming = false
            self.ready += runs
            self.exhausted = runs.count < asked
        }

        /// A run finished: its slot is free, and its outcomes wait to be recorded (and the rows it did not
        /// attempt to be given back).
        mutating func attempted(_ result: Run.Result) {
            self.inFlight -= 1
            self.recording += 1
            let length = result.outcomes.count + result.unattempted.count
            if !result.unattempted.isEmpty || length >= self.configuration.run { self.unrecordedFreesRows = true }
            self.unrecorded.outcomes += result.outcomes
            self.unrecorded.unattempted += result.unattempted
        }

        /// What to record now, or nil: one recording at a time, of every run finished since the last one
        /// started. With SQLite a recording waits for a group commit of the one writer; one store call for
        /// all the runs finished meanwhile, instead of one per run, spares each run a write, a task and a
        /// wake-up. Rows stay leased until recorded, so only their own streams wait for it.
        mutating func recordingToStart() -> (result: Run.Result, runs: Int)? {
            guard !self.recordingInFlight, self.recording > 0 else { return nil }
            self.recordingInFlight = true
            self.recordingFreesRows = self.unrecordedFreesRows
            defer {
                self.unrecorded = Run.Result()
                self.unrecordedFreesRows = false
            }
            return (self.unrecorded, self.recording)
        }

        /// A recording of `runs` runs finished (or failed; the leases will bring its rows back). After an
        /// exhausted claim it is worth claiming again only if the recording may have left rows claimable
        /// (``recordingFreesRows``): a shorter run took every due row of its stream, and rows planned since
        /// ring the doorbell.
        mutating func recorded(runs: Int) {
            self.recordingInFlight = false
            self.recording -= runs
            if self.recordingFreesRows { self.exhausted = false }
        }

        /// Whether to start a tick task now: one is always running, so an idle forwarder wakes.
        mutating func startTick() -> Bool {
            guard !self.ticking else { return false }
            self.ticking = true
            return true
        }

        mutating func ticked() {
            self.ticking = false
            self.woken = true
            self.exhausted = false
        }
    }
}
