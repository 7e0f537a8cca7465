import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// A `tandem serve` subprocess on a free 127.0.0.1 port, working in its own temporary directory (so
/// `./data` is private to the test), with the sample configuration's demo credentials unless told otherwise.
///
/// `Process` is not `Sendable`; a test keeps the value in one task and hands only ``baseURL`` to others.
struct ServerProcess {
    let directory: URL
    let port: Int
    let process: Process
    let log: URL

    var baseURL: URL { URL(string: "http://127.0.0.1:\(self.port)")! }

    /// The file the server's timers read the time from (`TANDEM_CLOCK_FILE`, `--allow-test-clock`).
    var clockFile: URL { Self.clockFile(in: self.directory) }

    /// Where no shipped scenario has a deadline yet: the servers of tests start with their clock pinned
    /// here, so that the system's clock (past every scenario's dates) fires no timer a test did not ask for.
    static let defaultClock = "2026-01-01T00:00:00Z"

    static func clockFile(in directory: URL) -> URL { directory.appendingPathComponent("clock") }

    /// Moves the server's clock (a FHIR instant); its timers read it on their next run.
    func setClock(_ instant: String) throws {
        try Data(instant.utf8).write(to: self.clockFile, options: .atomic)
    }

    /// The package checkout (for `Mappings/` and `Samples/`).
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Starts the server on `directory` (a new temporary one by default) and waits until it is ready.
    /// - Parameter config: a configuration file passed as `--config`; `Samples/config/tandem.json` by default.
    /// - Parameter storeURL: `TANDEM_STORE_URL` (a PostgreSQL database); SQLite in `directory` by default.
    /// - Parameter mappings: `TANDEM_MAPPINGS`; the repository's `Mappings/` by default.
    static func start(
        in directory: URL? = nil,
        port: Int? = nil,
        config: URL? = nil,
        storeURL: String? = nil,
        mappings: URL? = nil
    ) async throws -> ServerProcess {
        let directory = try directory ?? Self.temporaryDirectory()
        let port = try port ?? Self.freePort()
        let log = directory.appendingPathComponent("server-\(UUID().uuidString.prefix(8)).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        process.executableURL = CLIRunner.executable
        let config = config ?? Self.repository.appendingPathComponent("Samples/config/tandem.json")
        process.arguments = ["serve", "--config", config.path, "--allow-test-clock"]
        let clock = Self.clockFile(in: directory)
        if !FileManager.default.fileExists(atPath: clock.path) {
            try Data(Self.defaultClock.utf8).write(to: clock, options: .atomic)
        }
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment["TANDEM_LISTEN"] = "127.0.0.1:\(port)"
        environment["TANDEM_CONFIG"] = nil
        environment["TANDEM_STORE_URL"] = storeURL
        environment["TANDEM_MAPPINGS"] = (mappings ?? Self.repository.appendingPathComponent("Mappings")).path
        environment["TANDEM_CLOCK_FILE"] = clock.path
        environment["TANDEM_TIMERS_INTERVAL"] = "200ms"
        process.environment = environment
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let server = ServerProcess(directory: directory, port: port, process: process, log: log)
        try await server.waitUntilReady()
        return server
    }

    /// Polls `/health/ready` for up to 60 seconds (a debug build on a loaded machine starts slowly).
    func waitUntilReady() async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            guard self.process.isRunning else { throw ServerFailure("the server exited: \(self.logText)") }
            if let (_, response) = try? await URLSession.shared.data(
                from: self.baseURL.appendingPathComponent("health/ready")
            ),
                (response as? HTTPURLResponse)?.statusCode == 200
            {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ServerFailure("the server did not become ready: \(self.logText)")
    }

    /// Sends a signal (SIGTERM for a graceful stop, SIGKILL for a crash) and waits for the exit; once
    /// exited, a call only answers the status again, so cleanup may stop a server the test stopped.
    @discardableResult
    func stop(signal: Int32 = SIGTERM) -> Int32 {
        if self.process.isRunning { kill(self.process.processIdentifier, signal) }
        self.process.waitUntilExit()
        return self.process.terminationStatus
    }

    var logText: String { (try? String(contentsOf: self.log, encoding: .utf8)) ?? "" }

    /// `object` as a configuration file in `directory`, with the sample configuration's demo senders and
    /// operator unless it names its own.
    static func writeConfiguration(
        _ object: [String: Any],
        in directory: URL,
        named name: String = "tandem.json"
    ) throws -> URL {
        let sample =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: Self.repository.appendingPathComponent("Samples/config/tandem.json"))
            ) as? [String: Any] ?? [:]
        var merged = object
        for key in ["senders", "operators"] where merged[key] == nil { merged[key] = sample[key] }
        let url = directory.appendingPathComponent(name)
        try JSONSerialization.data(withJSONObject: merged).write(to: url)
        return url
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A port the kernel just handed out for 127.0.0.1 (bound to 0, read back, released).
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw ServerFailure("socket() failed") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        guard bound else { throw ServerFailure("bind() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

struct ServerFailure: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}

/// Requests the tests send to a running gateway.
enum GatewayClient {
    /// The sample configuration's `demo-hospital` sender.
    static let token = "tandem-demo-token"
    /// The sample configuration's operator, who reads every episode and the audit trail.
    static let operatorToken = "tandem-demo-operator-token"

    /// Sends one request; returns status, headers and body.
    static func send(
        _ method: String,
        _ url: URL,
        body: Data? = nil,
        contentType: String = "application/fhir+json",
        accept: String = "application/fhir+json",
        token: String = GatewayClient.token,
        extraHeaders: [String: String] = [:]
    ) async throws -> (status: Int, headers: [AnyHashable: Any], body: Data) {
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.httpBody = body
        request.timeoutInterval = 30
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue(accept, forHTTPHeaderField: "Accept")
        if body != nil { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        for (name, value) in extraHeaders { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        return (http?.statusCode ?? 0, http?.allHeaderFields ?? [:], data)
    }
}
