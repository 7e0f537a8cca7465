import Foundation
import Testing

@testable import TandemBench

/// The delivery benchmark's CPU by thread: roles told from thread names, and CPU time between two
/// snapshots.
@Suite struct ThreadCPUTests {
    @Test func rolesAreToldFromThreadNames() {
        let roles: [String: ThreadCPU.Role] = [
            "TP-#0": .threadPool, "curl-1": .transport, "com.apple.root.default-qos": .cooperativePool,
            "oot.default-qos": .cooperativePool, "NIO-SGLTN-0-#1": .eventLoops, "tandem": .other,
        ]
        for (name, role) in roles { #expect(ThreadCPU.Role(threadName: name) == role, "\(name)") }
    }

    @Test func secondsAreCountedByRoleBetweenSnapshots() {
        var earlier = ThreadCPU.Snapshot()
        earlier.threads = [
            1: (.other, 1_000_000_000), 2: (.threadPool, 500_000_000), 3: (.transport, 7), 5: (.other, 900_000_000),
        ]
        var later = ThreadCPU.Snapshot()
        // Thread 1 was named meanwhile (its role is the later one); thread 3 ended; thread 4 started; a new
        // thread took ended thread 5's id.
        later.threads = [
            1: (.transport, 1_250_000_000), 2: (.threadPool, 2_500_000_000), 4: (.threadPool, 100_000_000),
            5: (.eventLoops, 300_000_000),
        ]
        let seconds = later.seconds(since: earlier)
        #expect(seconds == [.transport: 0.25, .threadPool: 2.1, .eventLoops: 0.3])
    }

    /// The running process's snapshot holds its threads, and sees the CPU time spent between two
    /// snapshots: this thread spins until the process has used 40 ms of CPU (`getrusage`, whatever else the
    /// machine runs), of which at least 20 ms must show (the kernel brings a running thread's count up to
    /// date only at its ticks).
    @Test func aSnapshotOfThisProcessSeesWorkDone() {
        let before = ThreadCPU.snapshot()
        let start = ProcessCPU.seconds
        var sum = 0.0
        while ProcessCPU.seconds - start < 0.04 { sum += sin(sum + 1) }
        let seconds = ThreadCPU.snapshot().seconds(since: before)
        #expect(!before.threads.isEmpty)
        #expect(seconds.values.reduce(0, +) >= 0.02, "spent \(seconds), \(sum)")
    }
}
