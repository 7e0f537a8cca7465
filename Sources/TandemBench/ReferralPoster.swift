import Foundation
import NIOPosix

/// Posts the history benchmark's referrals to a gateway: new cataract ServiceRequests as JSON, each with a
/// business identifier of its own (``DeliveryBenchFixture/serviceRequest(marker:patient:)``), as the demo
/// sender. Identifiers and patients carry the run's number, so no two runs share one.
///
/// Blocking transfers run on `pool`'s threads, one ``RawCurlClient`` each.
struct ReferralPoster: Sendable {
    let runID: UInt32
    let pool: NIOThreadPool
    private let clients = ClientPool()

    init(runID: UInt32, pool: NIOThreadPool) {
        self.runID = runID
        self.pool = pool
    }

    /// The `index`th patient of the history that ``fill(_:base:)`` posts.
    func historyPatient(_ index: Int) -> String { "HIST-\(self.runID)-P\(index)" }

    func request(identifier: String, patient: String, base: String) -> RawCurlClient.Request {
        RawCurlClient.Request(
            url: base + "/fhir/ServiceRequest",
            headers: [
                "Authorization: Bearer \(ServeProcess.demoToken)", "Content-Type: application/fhir+json",
                "Prefer: return=minimal",
            ],
            body: DeliveryBenchFixture.serviceRequest(
                marker: "HIST-\(self.runID)-\(identifier)",
                patient: patient
            )
        )
    }

    /// Posts `count` referrals, each for a new patient, `inFlight` at a time (at most `pool`'s threads);
    /// prints progress to standard error. Returns how many were answered 2xx and how many were not.
    func fill(_ count: Int, inFlight workers: Int, base: String) async throws -> (answered: Int, failed: Int) {
        let started = ContinuousClock.now
        return try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for worker in 0..<workers {
                group.addTask {
                    var answered = 0
                    var failed = 0
                    for index in stride(from: worker, to: count, by: workers) {
                        let posting = self.request(
                            identifier: "R\(index)",
                            patient: self.historyPatient(index),
                            base: base
                        )
                        let status = try await self.clients.post(posting, on: self.pool)
                        if let status, (200..<300).contains(status) { answered += 1 } else { failed += 1 }
                        // The first worker speaks for all: they advance at the same pace.
                        if worker == 0, index > 0, (index / workers) % max(1, count / workers / 10) == 0 {
                            let seconds = (ContinuousClock.now - started).seconds
                            FileHandle.standardError.write(
                                Data("history: about \(index) of \(count) posted in \(seconds.formatted(1)) s\n".utf8)
                            )
                        }
                    }
                    return (answered, failed)
                }
            }
            return try await group.reduce((0, 0)) { ($0.0 + $1.0, $0.1 + $1.1) }
        }
    }

    /// Posts `count` referrals one after another: even ones for patients of a history of
    /// `historyPatients` (when there is one), the others for new patients.
    func warmUp(_ count: Int, historyPatients: Int, label: String, base: String) async throws {
        for index in 0..<count {
            let patient =
                historyPatients > 0 && index % 2 == 0
                ? self.historyPatient(index * 7919 % historyPatients) : "HIST-\(self.runID)-\(label)\(index)"
            let status = try await self.clients.post(
                self.request(identifier: "\(label)\(index)", patient: patient, base: base),
                on: self.pool
            )
            guard let status, (200..<300).contains(status) else {
                throw BenchmarkFailure("a warm-up referral was answered \(status.map(String.init) ?? "nothing")")
            }
        }
    }

    /// Posts `count` referrals for one patient one after another, each followed by a referral for a new
    /// patient (the baseline, interleaved so that both share the machine's state of the moment), on one
    /// thread and one connection. Returns each one's milliseconds, from sending to the whole answer.
    func series(_ count: Int, base: String) async throws -> (onePatient: [Double], manyPatients: [Double]) {
        let one = (0..<count).map {
            self.request(identifier: "ONE-\($0)", patient: "HIST-\(self.runID)-ONE", base: base)
        }
        let many = (0..<count).map {
            self.request(identifier: "MANY-\($0)", patient: "HIST-\(self.runID)-MANY\($0)", base: base)
        }
        return try await self.pool.runIfActive {
            guard let client = RawCurlClient() else { throw BenchmarkFailure("libcurl could not make a handle") }
            func timed(_ request: RawCurlClient.Request) throws -> Double {
                let start = ContinuousClock.now
                let status = client.post(request)
                guard let status, (200..<300).contains(status) else {
                    throw BenchmarkFailure("a series referral was answered \(status.map(String.init) ?? "nothing")")
                }
                return (ContinuousClock.now - start).milliseconds
            }
            var onePatient: [Double] = []
            var manyPatients: [Double] = []
            for index in 0..<count {
                onePatient.append(try timed(one[index]))
                manyPatients.append(try timed(many[index]))
            }
            return (onePatient, manyPatients)
        }
    }
}
