import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Server
import Store

/// An in-process gateway with its console, over an in-memory store, and a browser's part: the cookies it
/// keeps and the forms it posts.
enum ConsoleFixture {
    static let password = "correct horse battery staple"
    /// Hashed once (PBKDF2 at the least iterations swift-crypto allows, to keep the tests quick).
    static let passwordHash: PasswordHash = {
        do {
            return try PasswordHash(hashing: Self.password, iterations: PasswordHash.minimumIterations)
        } catch {
            fatalError("PBKDF2 failed: \(error)")
        }
    }()

    static func withConsole(
        console: ConsoleSettings = ConsoleSettings(),
        _ body: @escaping @Sendable (any TestClientProtocol, SQLiteStore) async throws -> Void
    ) async throws {
        let store = try await SQLiteStore.open(
            at: .memory,
            normaliser: GatewayFixture.normaliser,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.run() }
            defer { group.cancelAll() }
            let settings = GatewaySettings(
                senders: GatewayFixture.senders,
                operators: [
                    Operator(
                        name: "ops",
                        tokenHash: Sender.hash(token: GatewayFixture.operatorToken),
                        passwordHash: Self.passwordHash
                    ),
                    // An operator of the API only: no password, so no console.
                    Operator(name: "api-only", tokenHash: Sender.hash(token: "api-only-secret")),
                ],
                console: console
            )
            let gateway = Gateway(store: store, settings: settings, metrics: GatewayMetrics(), outbox: store)
            let app = Application(
                router: gateway.router(),
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
            )
            try await app.test(.router) { client in try await body(client, store) }
        }
    }

    /// A signed-in browser: the session cookie and the session's CSRF token.
    struct Browser: Sendable {
        var session: String
        var csrf: String

        var headers: HTTPFields { [.cookie: "\(ConsoleCookieNames.session)=\(self.session)"] }
    }

    enum ConsoleCookieNames {
        static let session = "tandem_console"
        static let signIn = "tandem_console_sign_in"
    }

    /// Opens the sign-in form and posts it, as a browser does; the response of the post.
    static func signIn(
        _ client: any TestClientProtocol,
        name: String = "ops",
        password: String = ConsoleFixture.password
    )
        async throws -> TestResponse
    {
        let form = try await client.execute(uri: "/console/sign-in", method: .get)
        let token = Self.cookie(ConsoleCookieNames.signIn, in: form) ?? ""
        return try await client.execute(
            uri: "/console/sign-in",
            method: .post,
            headers: [
                .cookie: "\(ConsoleCookieNames.signIn)=\(token)", .contentType: "application/x-www-form-urlencoded",
            ],
            body: ByteBuffer(
                string: Self.encode(["_csrf": Self.csrf(in: form) ?? "", "name": name, "password": password])
            )
        )
    }

    /// Signs in as `ops` and reads the CSRF token off the first page.
    static func browser(_ client: any TestClientProtocol) async throws -> Browser {
        let response = try await Self.signIn(client)
        guard let session = Self.cookie(ConsoleCookieNames.session, in: response) else {
            throw FixtureError("no session cookie after signing in (status \(response.status))")
        }
        let page = try await client.execute(
            uri: "/console/episodes",
            method: .get,
            headers: [.cookie: "\(ConsoleCookieNames.session)=\(session)"]
        )
        guard let csrf = Self.csrf(in: page) else { throw FixtureError("no CSRF token on the episodes page") }
        return Browser(session: session, csrf: csrf)
    }

    /// Posts a console form with the browser's cookie.
    static func post(
        _ client: any TestClientProtocol,
        _ uri: String,
        as browser: Browser,
        _ fields: [String: String]
    ) async throws -> TestResponse {
        var headers = browser.headers
        headers[.contentType] = "application/x-www-form-urlencoded"
        return try await client.execute(
            uri: uri,
            method: .post,
            headers: headers,
            body: ByteBuffer(string: Self.encode(fields))
        )
    }

    static func encode(_ fields: [String: String]) -> String {
        fields.sorted { $0.key < $1.key }.map { "\($0.key)=\(HTML.percentEncoded($0.value))" }.joined(separator: "&")
    }

    /// The value a `Set-Cookie` of the response gives `name`.
    static func cookie(_ name: String, in response: TestResponse) -> String? {
        Self.setCookie(name, in: response).flatMap { line in
            line.split(separator: ";").first.map { String($0.dropFirst(name.count + 1)) }
        }
    }

    /// The whole `Set-Cookie` line for `name`.
    static func setCookie(_ name: String, in response: TestResponse) -> String? {
        response.headers[values: .setCookie].first { $0.hasPrefix("\(name)=") }
    }

    static func csrf(in response: TestResponse) -> String? {
        let text = String(buffer: response.body)
        guard let range = text.range(of: #"name="_csrf" value=""#) else { return nil }
        let rest = text[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    static func text(_ response: TestResponse) -> String { String(buffer: response.body) }

    struct FixtureError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
