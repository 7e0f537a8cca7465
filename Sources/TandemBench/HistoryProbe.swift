import Foundation
import NIOPosix

/// What a gateway's history costs it: a release `tandem serve` on SQLite, driven over HTTP only (so it
/// measures any design of the gateway alike).
///
/// 1. A restart on an empty store (the baseline), then `episodes` new referrals, each for a new patient,
///    posted as fast as the gateway takes them, then a restart on that store: seconds until
///    `/health/ready` answers 200 and resident memory, once ready and after a warm-up; then the seconds
///    `GET /measures` takes (every episode's measures, as the console and the gauges read them).
/// 2. On the restarted gateway, `referrals` new referrals for one patient posted one after another,
///    interleaved with as many for as many new patients (the baseline): each one's latency.
struct HistoryProbe: Sendable {
    var executable: URL
    var mappings: String
    var episodes: Int
    var connections: Int
    var referrals: Int
    var warmUp: Int

    /// One restart of the gateway on its store.
    struct Restart: Sendable {
        /// From starting the process to the first 200 from `/health/ready`.
        var secondsToReady: Double
        /// Resident bytes once ready, its peak until then, and resident bytes after the warm-up.
        var residentAtReady: Int
        var peakAtReady: Int
        var residentAfterWarmUp: Int
        /// From sending `GET /measures` (as an operator) to the whole answer, after the warm-up.
        var measuresSeconds: Double
    }

    struct Result: Sendable {
        var empty: Restart
        var ingested: Int
        var failed: Int
        var ingestSeconds: Double
        /// The gateway's resident bytes when the ingest ended, and its peak.
        var residentAfterIngest: Int
        var peakAfterIngest: Int
        var stopSeconds: Double
        var full: Restart
        /// Milliseconds per referral, in the order posted: one patient's, and the baseline's.
        var onePatient: [Double]
        var manyPatients: [Double]
    }

    func run() async throws -> Result {
        let runID = UInt32.random(in: 0...UInt32.max)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-history-\(runID)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let pool = NIOThreadPool(numberOfThreads: self.connections)
        pool.start()
        defer { pool.shutdownGracefully { _ in } }
        let poster = ReferralPoster(runID: runID, pool: pool)

        // The store is made by a first start; the baseline is a restart on it, as the measured one is.
        _ = try await self.withGateway(in: directory) { _ in }
        var (result, stopSeconds) = try await self.withGateway(in: directory) { started in
            let empty = try await self.warmUp(started, poster: poster, fromHistory: false)
            let start = ContinuousClock.now
            let (ingested, failed) = try await poster.fill(
                self.episodes,
                inFlight: self.connections,
                base: started.server.base
            )
            return Result(
                empty: empty,
                ingested: ingested,
                failed: failed,
                ingestSeconds: (ContinuousClock.now - start).seconds,
                residentAfterIngest: ProcStatus.bytes("VmRSS", of: started.server.pid) ?? 0,
                peakAfterIngest: ProcStatus.bytes("VmHWM", of: started.server.pid) ?? 0,
                stopSeconds: 0,
                full: empty,  // until the restart below measures it
                onePatient: [],
                manyPatients: []
            )
        }
        result.stopSeconds = stopSeconds
        (result.full, result.onePatient, result.manyPatients) = try await self.withGateway(in: directory) {
            started in
            let full = try await self.warmUp(started, poster: poster, fromHistory: true)
            let series = try await poster.series(self.referrals, base: started.server.base)
            return (full, series.onePatient, series.manyPatients)
        }.0
        return result
    }

    /// A gateway just started on the store in `directory`, and when it answered ready.
    struct Started {
        var server: ServeProcess
        var secondsToReady: Double
    }

    /// Starts the gateway on the store in `directory`, waits until it is ready, runs `body`, stops it
    /// (gracefully, as an operator would before a restart); returns `body`'s value and the stop's seconds.
    private func withGateway<Value>(
        in directory: URL,
        _ body: (Started) async throws -> Value
    ) async throws -> (Value, Double) {
        let started = ContinuousClock.now
        let server = try ServeProcess.start(
            executable: self.executable,
            configuration: ["senders": [ServeProcess.demoSender], "operators": [ServeProcess.demoOperator]],
            mappings: self.mappings,
            directory: directory
        )
        let serverGuard = ChildProcessGuard(server.process) { try? FileManager.default.removeItem(at: directory) }
        func stop() -> Double {
            serverGuard.release()
            let stopping = ContinuousClock.now
            if server.process.stop(grace: .seconds(120)) {
                print("warning: tandem serve did not stop within 120 s of SIGTERM and was killed")
            }
            return (ContinuousClock.now - stopping).seconds
        }
        let value: Value
        do {
            // Polled every 10 ms: the time to ready is a figure here, not only a wait.
            try server.waitUntilReady(timeout: .seconds(600), interval: .milliseconds(10))
            value = try await body(Started(server: server, secondsToReady: (ContinuousClock.now - started).seconds))
        } catch {
            _ = stop()
            throw error
        }
        return (value, stop())
    }

    /// Memory once ready, then after `warmUp` referrals (half for patients of the history when there is
    /// one, so that their state is reached, half for new patients).
    private func warmUp(_ started: Started, poster: ReferralPoster, fromHistory: Bool) async throws -> Restart {
        let pid = started.server.pid
        let resident = ProcStatus.bytes("VmRSS", of: pid) ?? 0
        let peak = ProcStatus.bytes("VmHWM", of: pid) ?? 0
        try await poster.warmUp(
            self.warmUp,
            historyPatients: fromHistory ? self.episodes : 0,
            label: fromHistory ? "WF" : "WE",
            base: started.server.base
        )
        let residentAfterWarmUp = ProcStatus.bytes("VmRSS", of: pid) ?? 0
        let measures = started.server.base + "/measures"
        let measuresSeconds = try await poster.pool.runIfActive {
            guard let client = RawCurlClient() else { throw BenchmarkFailure("libcurl could not make a handle") }
            let start = ContinuousClock.now
            let status = client.get(
                measures,
                headers: ["Authorization: Bearer \(ServeProcess.demoOperatorToken)"],
                timeoutMilliseconds: 600_000
            )
            guard status == 200 else {
                throw BenchmarkFailure("GET /measures was answered \(status.map(String.init) ?? "nothing")")
            }
            return (ContinuousClock.now - start).seconds
        }
        return Restart(
            secondsToReady: started.secondsToReady,
            residentAtReady: resident,
            peakAtReady: peak,
            residentAfterWarmUp: residentAfterWarmUp,
            measuresSeconds: measuresSeconds
        )
    }
}
