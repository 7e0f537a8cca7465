import Foundation

/// A Python `http.server` behind TLS with a throwaway self-signed certificate, for the TLS tests of
/// ``CurlTransport``: Hummingbird's TLS needs swift-nio-ssl, which the project does not depend on.
/// Needs `openssl` and `python3`; ``isAvailable`` says whether both are there.
final class TLSTestServer {
    static var isAvailable: Bool {
        ["/usr/bin/openssl", "/usr/bin/python3"].allSatisfy(FileManager.default.isExecutableFile)
            || (Self.which("openssl") && Self.which("python3"))
    }

    let directory: URL
    private let process = Process()
    private(set) var port = 0

    var serverCertificate: String { self.directory.appendingPathComponent("server.pem").path }
    var clientCertificate: String { self.directory.appendingPathComponent("client.pem").path }
    var clientKey: String { self.directory.appendingPathComponent("client-key.pem").path }

    /// - Parameter requireClientCertificate: mutual TLS, trusting only the generated client certificate.
    init(requireClientCertificate: Bool) throws {
        self.directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tandem-tls-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
        for (name, subject, san) in [
            ("server", "/CN=127.0.0.1", "IP:127.0.0.1"), ("client", "/CN=tandem", "DNS:tandem"),
        ] {
            try Self.run(
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                subject,
                "-addext",
                "subjectAltName=\(san)",
                "-keyout",
                self.directory.appendingPathComponent("\(name)-key.pem").path,
                "-out",
                self.directory.appendingPathComponent("\(name).pem").path
            )
        }
        let script = """
            import http.server, ssl, sys
            class Handler(http.server.BaseHTTPRequestHandler):
                protocol_version = "HTTP/1.1"
                def do_POST(self):
                    self.rfile.read(int(self.headers.get("Content-Length", 0)))
                    self.send_response(200)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                def log_message(self, *args):
                    pass
            server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(sys.argv[1] + "/server.pem", sys.argv[1] + "/server-key.pem")
            if sys.argv[2] == "mtls":
                context.verify_mode = ssl.CERT_REQUIRED
                context.load_verify_locations(sys.argv[1] + "/client.pem")
            server.socket = context.wrap_socket(server.socket, server_side=True)
            print(server.server_port, flush=True)
            server.serve_forever()
            """
        let output = Pipe()
        self.process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        self.process.arguments = [
            "python3", "-c", script, self.directory.path, requireClientCertificate ? "mtls" : "tls",
        ]
        self.process.standardOutput = output
        self.process.standardError = FileHandle.nullDevice
        try self.process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        self.port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    deinit {
        // SIGKILL, not terminate(): the test process may block SIGTERM, and children inherit the mask.
        kill(self.process.processIdentifier, SIGKILL)
        self.process.waitUntilExit()
        try? FileManager.default.removeItem(at: self.directory)
    }

    var url: URL { URL(string: "https://127.0.0.1:\(self.port)/notify")! }

    private static func run(_ arguments: String...) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
    }

    private static func which(_ name: String) -> Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/\(name)")
        }
    }
}
