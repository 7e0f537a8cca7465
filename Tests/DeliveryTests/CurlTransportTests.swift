import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOPosix
import Synchronization
import Testing

@testable import Delivery

@Suite struct CurlTransportTests {
    let transport = CurlTransport(logger: Logger(label: "tandem.tests.curl"))

    static func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("ok") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let id = request.headers[HTTPField.Name("X-Tandem-Delivery-Id")!] ?? "none"
            let expect = request.headers[.expect] ?? "none"
            return Response(
                status: .ok,
                body: ResponseBody(
                    byteBuffer: ByteBuffer(string: "id=\(id) bytes=\(body.readableBytes) expect=\(expect)")
                )
            )
        }
        router.post("big") { _, _ -> Response in
            Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(repeating: UInt8(ascii: "x"), count: 4000)))
        }
        router.post("fail") { _, _ -> Response in Response(status: .internalServerError) }
        router.post("busy") { _, _ -> Response in
            Response(status: .serviceUnavailable, headers: [.retryAfter: "7"])
        }
        router.post("bad") { _, _ -> Response in
            Response(status: .badRequest, body: ResponseBody(byteBuffer: ByteBuffer(string: "no such patient")))
        }
        router.post("slow") { _, _ -> Response in
            try await Task.sleep(for: .seconds(2))
            return Response(status: .ok)
        }
        return router
    }

    func request(
        port: Int,
        path: String,
        body: [UInt8] = Array("{}".utf8),
        timeout: Duration = .seconds(5)
    )
        -> DeliveryRequest
    {
        DeliveryRequest(
            partnerID: "local",
            url: URL(string: "http://127.0.0.1:\(port)/\(path)")!,
            headers: [("Content-Type", "application/fhir+json"), ("X-Tandem-Delivery-Id", "d-42")],
            body: body,
            timeout: timeout
        )
    }

    @Test func successReturnsStatusAndExcerpt() async throws {
        let response = try await LocalServer.with(Self.router()) { port in
            try await self.transport.send(self.request(port: port, path: "ok")).get()
        }
        #expect(response.status == 200)
        #expect(response.excerptText == "id=d-42 bytes=2 expect=none")
        #expect(response.httpVersion == "1.1")
        #expect(response.duration > .zero)
    }

    @Test func largeBodyIsNotHeldUpByExpectContinue() async throws {
        let body = [UInt8](repeating: UInt8(ascii: "a"), count: 200_000)
        let response = try await LocalServer.with(Self.router()) { port in
            try await self.transport.send(self.request(port: port, path: "ok", body: body)).get()
        }
        #expect(response.excerptText == "id=d-42 bytes=200000 expect=none")
        // The server saw no Expect header, so nothing waited for a 100 Continue (a one-second stall).
    }

    @Test func excerptKeepsTheFirst512Bytes() async throws {
        let response = try await LocalServer.with(Self.router()) { port in
            try await self.transport.send(self.request(port: port, path: "big")).get()
        }
        #expect(response.excerpt.count == 512)
    }

    @Test func serverErrorsAndRejectionsAreResponses() async throws {
        let (fail, busy, bad) = try await LocalServer.with(Self.router()) { port in
            (
                try await self.transport.send(self.request(port: port, path: "fail")).get(),
                try await self.transport.send(self.request(port: port, path: "busy")).get(),
                try await self.transport.send(self.request(port: port, path: "bad")).get()
            )
        }
        #expect(fail.status == 500)
        #expect(busy.status == 503)
        #expect(busy.retryAfter == "7")
        #expect(bad.status == 400)
        #expect(bad.excerptText == "no such patient")
        #expect(fail.retryAfter == nil)
    }

    @Test func slowPartnerTimesOut() async throws {
        let result = try await LocalServer.with(Self.router()) { port in
            await self.transport.send(self.request(port: port, path: "slow", timeout: .milliseconds(300)))
        }
        guard case .failure(let error) = result else {
            Testing.Issue.record("expected a timeout, got \(result)")
            return
        }
        #expect(error.kind == .timeout)
        #expect(error.curlCode == 28)
    }

    @Test func nothingListeningIsConnectionFailed() async throws {
        // Bind a port, let it go, then call it: nothing listens there any more.
        let port = try await LocalServer.with(Self.router()) { port in port }
        let result = await self.transport.send(self.request(port: port, path: "ok", timeout: .seconds(2)))
        guard case .failure(let error) = result else {
            Testing.Issue.record("expected a connection failure, got \(result)")
            return
        }
        #expect(error.kind == .connectionFailed)
    }

    @Test func unsupportedSchemeIsInvalidRequest() async {
        var request = self.request(port: 1, path: "x")
        request.url = URL(string: "ftp://127.0.0.1/x")!
        guard case .failure(let error) = await self.transport.send(request) else {
            Testing.Issue.record("expected failure")
            return
        }
        #expect(error.kind == .invalidRequest)
    }

    @Test func connectionsAreReusedFromOneRequestToTheNext() async throws {
        let transport = CurlTransport(threads: 1, maximumIdleConnectionsPerPartner: 4, logger: Logger(label: "t"))
        try await LocalServer.with(Self.router()) { port in
            for _ in 0..<3 { _ = try await transport.send(self.request(port: port, path: "ok")).get() }
            #expect(transport.connectionsOpened == 1)
            // Four at once need up to four connections (HTTP/1.1); all of them stay for what follows.
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<4 { group.addTask { _ = await transport.send(self.request(port: port, path: "ok")) } }
            }
            let afterBurst = transport.connectionsOpened
            #expect((1...4).contains(afterBurst))
            for _ in 0..<3 { _ = try await transport.send(self.request(port: port, path: "ok")).get() }
            #expect(transport.connectionsOpened == afterBurst)
        }
    }

    /// Each transfer loop's thread carries its name, as `top -H`, `perf` and the delivery benchmark's CPU
    /// by thread show it: the threads that appeared with a new transport include `curl-0` to `curl-2`.
    @Test func eachTransferLoopsThreadIsNamed() async throws {
        func threads() -> [String: String] {
            let tasks = "/proc/self/task"
            var names: [String: String] = [:]
            for id in (try? FileManager.default.contentsOfDirectory(atPath: tasks)) ?? [] {
                if let name = try? String(contentsOfFile: "\(tasks)/\(id)/comm", encoding: .utf8) {
                    names[id] = name.trimmingCharacters(in: .newlines)
                }
            }
            return names
        }
        let before = threads()
        let transport = CurlTransport(threads: 3, logger: Logger(label: "t"))
        // The threads name themselves once they run: look again until they have, for up to about 5 s.
        var named: Set<String> = []
        var looks = 0
        while named.count < 3, looks < 500 {
            named = Set(threads().filter { before[$0.key] == nil }.values.filter { $0.hasPrefix("curl-") })
            looks += 1
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(named.isSuperset(of: ["curl-0", "curl-1", "curl-2"]))
        withExtendedLifetime(transport) {}
    }

    /// The transfer threads rely on it (CI and the Dockerfile install Debian's libcurl, which has it);
    /// `tandem serve` warns when the linked libcurl lacks it.
    @Test func theLinkedLibcurlResolvesNamesWithoutBlocking() {
        #expect(CurlTransport.resolvesNamesAsynchronously)
    }

    @Test func noIdleConnectionsMeansANewConnectionPerRequest() async throws {
        let transport = CurlTransport(threads: 1, maximumIdleConnectionsPerPartner: 0, logger: Logger(label: "t"))
        try await LocalServer.with(Self.router()) { port in
            for _ in 0..<3 { _ = try await transport.send(self.request(port: port, path: "ok")).get() }
        }
        #expect(transport.connectionsOpened == 3)
    }

    /// Releasing the transport stops its threads: each loop's thread ends, and with it the last reference
    /// to the loop, so tests and short-lived commands that make transports leave no thread behind.
    @Test func releasingTheTransportEndsItsThreads() async throws {
        weak var loop: CurlTransferLoop?
        do {
            let transport = CurlTransport(threads: 1, logger: Logger(label: "t"))
            loop = transport.loops.first
            // One transfer through the loop (nothing listens on port 1: refused at once).
            _ = await transport.send(self.request(port: 1, path: "ok"))
            #expect(loop != nil)
        }
        let deadline = ContinuousClock.now + .seconds(10)
        while loop != nil, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(loop == nil, "the transfer thread still runs after its transport was released")
    }

    /// A request the server holds until the test lets it go: no deadline in the test, so a loaded machine
    /// cannot make it fail, and a transport that blocked on the held request would time the others out.
    @Test func aSlowPartnerDoesNotHoldUpAnotherOnTheSameThread() async throws {
        let transport = CurlTransport(threads: 1, logger: Logger(label: "t"))
        let gate = HeldRequestGate()
        let router = Self.router()
        router.post("held") { _, _ -> Response in
            await gate.hold()
            return Response(status: .ok)
        }
        try await LocalServer.with(router) { port in
            var held = self.request(port: port, path: "held", timeout: .seconds(60))
            held.partnerID = "slow"
            async let heldAnswer = transport.send(held)
            #expect(await gate.waitUntilHeld(), "the held request never reached the server")
            // The held request is in flight on the transport's only thread; ten others come and go meanwhile.
            for _ in 0..<10 {
                let status = try await transport.send(self.request(port: port, path: "ok")).get().status
                #expect(status == 200)
            }
            gate.release()
            let heldStatus = try await heldAnswer.get().status
            #expect(heldStatus == 200)
        }
    }
}

/// The server side of a held request: the handler waits in ``hold()`` until the test calls ``release()``.
final class HeldRequestGate: Sendable {
    private let state = Mutex<(held: Bool, released: Bool)>((false, false))

    /// Marks the request as arrived and waits (polling) until released, 60 s at most.
    func hold() async {
        self.state.withLock { $0.held = true }
        let deadline = ContinuousClock.now + .seconds(60)
        while !self.state.withLock({ $0.released }), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Waits (polling) until a request is held; false after 60 s.
    func waitUntilHeld() async -> Bool {
        let deadline = ContinuousClock.now + .seconds(60)
        while !self.state.withLock({ $0.held }) {
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return true
    }

    func release() {
        self.state.withLock { $0.released = true }
    }
}
