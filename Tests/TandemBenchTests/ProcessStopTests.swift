import Foundation
import Testing

@testable import TandemBench

/// `Process.stop(grace:)`, which the benchmarks use to end the gateways they start.
@Suite struct ProcessStopTests {
    private static func start(_ script: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        try process.run()
        return process
    }

    @Test func aProcessThatHonoursSIGTERMStopsWithoutBeingKilled() throws {
        // The test runner's children inherit SIGTERM blocked or ignored, so the child restores the default.
        let process = try Self.start(
            "exec python3 -c 'import signal, time; signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM]); "
                + "signal.signal(signal.SIGTERM, signal.SIG_DFL); time.sleep(30)'"
        )
        #expect(process.stop(grace: .seconds(10)) == false)
        #expect(!process.isRunning)
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(process.terminationStatus == SIGTERM)
    }

    @Test func aProcessThatIgnoresSIGTERMIsKilledAfterTheGrace() throws {
        // The shell ignores SIGTERM, and `exec` keeps the ignored disposition for sleep.
        let process = try Self.start("trap '' TERM; exec sleep 30")
        let started = ContinuousClock.now
        #expect(process.stop(grace: .milliseconds(300)) == true)
        #expect(!process.isRunning)
        #expect(process.terminationStatus == SIGKILL)
        #expect(ContinuousClock.now - started < .seconds(10))
    }
}
