import Foundation

/// A `tandem serve` a benchmark runs as a child: its configuration (`tandem.json`) and SQLite store
/// (`tandem.sqlite`) in a directory of the benchmark's, a free port on 127.0.0.1, its output appended to
/// `serve.log` there. Starting it again on the same directory restarts it on the same store.
struct ServeProcess {
    /// The sender the benchmarks post as: the demo token's hash (`tandem token-hash tandem-demo-token`).
    static var demoSender: [String: Any] {
        [
            "name": "demo-hospital", "allowedTypes": ["*"],
            "tokenHash": "66852691e07cfed096e183a14a1dc4496e166c46915ffb6b46f499226da33d6a",
        ]
    }
    static let demoToken = "tandem-demo-token"

    /// The operator the benchmarks read operators' routes as (`tandem-demo-operator-token`'s hash).
    static var demoOperator: [String: Any] {
        ["name": "demo-operator", "tokenHash": "12612a3e93695df9ebe5af3857a66ed84e21ecd547f4395ef565d3a2582ece27"]
    }
    static let demoOperatorToken = "tandem-demo-operator-token"

    /// The `tandem` executable at `path`, or by default the one beside this `tandem-bench` (found through
    /// Linux's link to the running executable).
    static func executable(_ path: String?) -> URL {
        path.map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("tandem")
    }

    let process: Process
    let port: Int
    let directory: URL

    var base: String { "http://127.0.0.1:\(self.port)" }
    var pid: Int32 { self.process.processIdentifier }

    /// Writes `configuration` (a JSON object) and starts the gateway on it; returns at once, before it
    /// is ready (``waitUntilReady(timeout:interval:)``).
    ///
    /// The per-client rate limit is turned off unless `configuration` sets `limits`: a benchmark posts
    /// with one token far more than a hospital's engine would, and measures the gateway, not the limit.
    static func start(
        executable: URL,
        configuration: [String: Any],
        mappings: String,
        directory: URL
    ) throws -> ServeProcess {
        var configuration = configuration
        if configuration["limits"] == nil {
            configuration["limits"] = ["requestsPerSecond": 0]
        }
        let config = directory.appendingPathComponent("tandem.json")
        try JSONSerialization.data(withJSONObject: configuration).write(to: config)
        let port = try Self.freePort()
        let process = Process()
        process.executableURL = executable
        process.arguments = ["serve", "--config", config.path]
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment["TANDEM_LISTEN"] = "127.0.0.1:\(port)"
        environment["TANDEM_STORE_URL"] = "sqlite:" + directory.appendingPathComponent("tandem.sqlite").path
        environment["TANDEM_MAPPINGS"] = URL(fileURLWithPath: mappings).standardizedFileURL.path
        environment["TANDEM_LOG_LEVEL"] = "warning"
        process.environment = environment
        let log = directory.appendingPathComponent("serve.log")
        if !FileManager.default.fileExists(atPath: log.path) {
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: log)
        try handle.seekToEnd()
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return ServeProcess(process: process, port: port, directory: directory)
    }

    /// Polls `/health/ready` every `interval` until it answers 200.
    /// - Throws: ``BenchmarkFailure`` when the gateway exits (with its log) or is not ready by `timeout`.
    func waitUntilReady(timeout: Duration = .seconds(30), interval: Duration = .milliseconds(50)) throws {
        guard let client = RawCurlClient() else { throw BenchmarkFailure("libcurl could not make a handle") }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard self.process.isRunning else { throw BenchmarkFailure("tandem serve exited: \(self.log)") }
            if client.get(self.base + "/health/ready") == 200 { return }
            usleep(useconds_t(interval.seconds * 1_000_000))
        }
        throw BenchmarkFailure("tandem serve did not become ready within \(timeout)")
    }

    var log: String {
        (try? String(contentsOf: self.directory.appendingPathComponent("serve.log"), encoding: .utf8)) ?? ""
    }

    /// A port the kernel just handed out for 127.0.0.1 (bound to 0, read back, released).
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw BenchmarkFailure("socket() failed") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        guard bound else { throw BenchmarkFailure("bind() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
