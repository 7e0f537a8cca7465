import Foundation

/// `tandem sink` running as a child process on an ephemeral port, for end-to-end delivery tests.
final class SinkProcess {
    let process = Process()
    private let output = Pipe()
    private(set) var port = 0
    /// What was read after the first line while looking for it (an arrival may come in the same read).
    private var pending = Data()

    init(_ arguments: [String]) throws {
        self.process.executableURL = CLIRunner.executable
        self.process.arguments = ["sink", "--port", "0"] + arguments
        self.process.standardOutput = self.output
        self.process.standardError = FileHandle.nullDevice
        try self.process.run()
        // The first line says where it listens: "… sink listening on http://127.0.0.1:PORT…".
        var seen = Data()
        let deadline = Date().addingTimeInterval(20)
        while !seen.contains(UInt8(ascii: "\n")), Date() < deadline {
            let chunk = self.output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen.append(chunk)
        }
        let newline = seen.firstIndex(of: UInt8(ascii: "\n")) ?? seen.endIndex
        self.pending = newline < seen.endIndex ? Data(seen[seen.index(after: newline)...]) : Data()
        let line = String(decoding: seen[..<newline], as: UTF8.self)
        guard let range = line.range(of: "127.0.0.1:") else { throw SinkError(message: "no port in \(line)") }
        self.port = Int(line[range.upperBound...].prefix { $0.isNumber }) ?? 0
    }

    var url: URL { URL(string: "http://127.0.0.1:\(self.port)/notify")! }

    /// Stops the sink and returns the lines it printed after the first.
    func stop() -> [String] {
        defer { self.pending = Data() }
        return Self.lines(self.pending + self.stopAndReadRest())
    }

    /// Reads what the sink prints until `count` lines (after the first) arrived or `timeout` passed, then
    /// stops it and returns every line it printed after the first.
    func stop(afterLines count: Int, timeout: Duration) -> [String] {
        self.stop(timeout: timeout) { $0.count >= count }
    }

    /// Reads what the sink prints until `done` holds for the whole lines so far (after the first) or
    /// `timeout` passed, then stops it and returns every line it printed after the first.
    func stop(timeout: Duration, when done: ([String]) -> Bool) -> [String] {
        let pid = self.process.processIdentifier
        let seconds = Double(timeout.components.seconds)
        // Cancelled once the lines are in, so a late timer never signals a recycled pid.
        let timer = DispatchWorkItem { kill(pid, SIGTERM) }
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: timer)
        var seen = self.pending
        self.pending = Data()
        func wholeLines() -> [String] {
            Self.lines(seen.lastIndex(of: UInt8(ascii: "\n")).map { seen[...$0] } ?? Data())
        }
        while !done(wholeLines()) {
            let chunk = self.output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen.append(chunk)
        }
        timer.cancel()
        return Self.lines(seen + self.stopAndReadRest())
    }

    private func stopAndReadRest() -> Data {
        self.process.terminate()
        // Should SIGTERM be blocked in this child (it inherits the test process's signal mask), stop it harder.
        let pid = self.process.processIdentifier
        DispatchQueue.global().asyncAfter(deadline: .now() + 5) { kill(pid, SIGKILL) }
        let rest = self.output.fileHandleForReading.readDataToEndOfFile()
        self.process.waitUntilExit()
        return rest
    }

    private static func lines(_ data: Data) -> [String] {
        String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    struct SinkError: Error { var message: String }
}
