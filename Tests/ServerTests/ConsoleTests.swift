import FHIRCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Server
import Store
import Testing

@Suite struct ConsoleTests {
    @Test func signInGivesAStrictHttpOnlySessionCookieAndIsAudited() async throws {
        try await ConsoleFixture.withConsole { client, store in
            let response = try await ConsoleFixture.signIn(client)
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/console/episodes")
            let cookie = try #require(ConsoleFixture.setCookie("tandem_console", in: response))
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Strict"))
            #expect(cookie.contains("Path=/console"))
            #expect(!cookie.contains("Secure"), "no TLS here")
            let trail = try await store.auditTrail(limit: 10)
            #expect(trail.contains { $0.action == "login" && $0.outcome == .success && $0.sender == "ops" })
        }
    }

    @Test func sessionCookieIsSecureBehindTLS() async throws {
        try await ConsoleFixture.withConsole(console: ConsoleSettings(secureCookies: true)) { client, _ in
            let response = try await ConsoleFixture.signIn(client)
            let cookie = try #require(ConsoleFixture.setCookie("tandem_console", in: response))
            #expect(cookie.contains("Secure"))
        }
    }

    @Test func wrongPasswordIsRefusedAndAudited() async throws {
        try await ConsoleFixture.withConsole { client, store in
            let response = try await ConsoleFixture.signIn(client, password: "not the password")
            #expect(response.status == .unauthorized)
            #expect(ConsoleFixture.setCookie("tandem_console", in: response) == nil)
            #expect(ConsoleFixture.text(response).contains("Wrong name or password."))
            let trail = try await store.auditTrail(limit: 10)
            #expect(trail.contains { $0.action == "login" && $0.outcome == .minorFailure && $0.sender == "ops" })
        }
    }

    @Test func signInWithoutTheFormTokenIsRefused() async throws {
        try await ConsoleFixture.withConsole { client, _ in
            let response = try await client.execute(
                uri: "/console/sign-in",
                method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "name=ops&password=\(HTML.percentEncoded(ConsoleFixture.password))")
            )
            #expect(response.status == .forbidden)
            #expect(ConsoleFixture.setCookie("tandem_console", in: response) == nil)
        }
    }

    @Test(arguments: ["api-only", "st-marys", "nobody"])
    func onlyOperatorsWithAPasswordSignIn(name: String) async throws {
        try await ConsoleFixture.withConsole { client, _ in
            let response = try await ConsoleFixture.signIn(client, name: name)
            #expect(response.status == .unauthorized)
        }
    }

    @Test func pagesNeedASessionAndBearerTokensDoNotOpenThem() async throws {
        try await ConsoleFixture.withConsole { client, _ in
            for path in ["/console/episodes", "/console/messages", "/console/deliveries", "/console/measures"] {
                let anonymous = try await client.execute(uri: path, method: .get)
                #expect(anonymous.status == .seeOther)
                #expect(anonymous.headers[.location] == "/console/sign-in")
                let bearer = try await client.execute(
                    uri: path,
                    method: .get,
                    headers: [.authorization: "Bearer \(GatewayFixture.operatorToken)"]
                )
                #expect(bearer.status == .seeOther)
                let forged = try await client.execute(
                    uri: path,
                    method: .get,
                    headers: [.cookie: "tandem_console=forged"]
                )
                #expect(forged.status == .seeOther)
            }
            let change = try await client.execute(uri: "/console/deliveries/requeue", method: .post)
            #expect(change.status == .unauthorized)
        }
    }

    @Test func everyPageRendersForASignedInOperator() async throws {
        try await ConsoleFixture.withConsole { client, _ in
            let browser = try await ConsoleFixture.browser(client)
            for path in ["/console/episodes", "/console/messages", "/console/deliveries", "/console/measures"] {
                let page = try await client.execute(uri: path, method: .get, headers: browser.headers)
                #expect(page.status == .ok, "\(path)")
                #expect(page.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
                #expect(ConsoleFixture.text(page).contains("Signed in as <strong>ops</strong>"))
            }
        }
    }

    @Test func changesWithoutTheSessionsCSRFTokenAreRefusedAndAudited() async throws {
        try await ConsoleFixture.withConsole { client, store in
            let browser = try await ConsoleFixture.browser(client)
            for fields in [["partner": "eyecare"], ["partner": "eyecare", "_csrf": "guessed"]] {
                let response = try await ConsoleFixture.post(client, "/console/deliveries/requeue", as: browser, fields)
                #expect(response.status == .forbidden)
            }
            let trail = try await store.auditTrail(limit: 20)
            #expect(
                trail.contains {
                    $0.sender == "ops" && $0.outcome == .minorFailure && ($0.detail ?? "").contains("CSRF")
                }
            )
            let accepted = try await ConsoleFixture.post(
                client,
                "/console/deliveries/requeue",
                as: browser,
                ["partner": "eyecare", "_csrf": browser.csrf]
            )
            #expect(accepted.status == .seeOther)
            let after = try await store.auditTrail(limit: 20)
            #expect(after.contains { $0.action == "requeue" && $0.sender == "ops" && $0.outcome == .success })
        }
    }

    @Test func sessionsExpire() async throws {
        try await ConsoleFixture.withConsole(console: ConsoleSettings(sessionLifetime: .seconds(1))) { client, _ in
            // Only the cookie: loading a page first could outlast the second on a busy machine.
            let signedIn = try await ConsoleFixture.signIn(client)
            let session = try #require(ConsoleFixture.cookie("tandem_console", in: signedIn))
            try await Task.sleep(for: .milliseconds(1300))
            let page = try await client.execute(
                uri: "/console/episodes",
                method: .get,
                headers: [.cookie: "tandem_console=\(session)"]
            )
            #expect(page.status == .seeOther)
            #expect(page.headers[.location] == "/console/sign-in")
        }
    }

    @Test func signOutEndsTheSessionForEveryReplica() async throws {
        try await ConsoleFixture.withConsole { client, store in
            let browser = try await ConsoleFixture.browser(client)
            let out = try await ConsoleFixture.post(client, "/console/sign-out", as: browser, ["_csrf": browser.csrf])
            #expect(out.status == .seeOther)
            #expect(ConsoleFixture.setCookie("tandem_console", in: out)?.contains("Max-Age=0") == true)
            // The session is gone from the store, which every replica reads: the old cookie opens nothing.
            let page = try await client.execute(uri: "/console/episodes", method: .get, headers: browser.headers)
            #expect(page.status == .seeOther)
            let trail = try await store.auditTrail(limit: 10)
            #expect(trail.contains { $0.action == "logout" && $0.sender == "ops" })
        }
    }

    @Test func rawMessageIsShownEscapedAndItsViewingAudited() async throws {
        try await ConsoleFixture.withConsole { client, store in
            let hostile =
                #"{"resourceType":"Patient","identifier":[{"system":"urn:x","value":"</pre><script>alert(1)</script>"}]}"#
            let posted = try await client.execute(
                uri: "/fhir/Patient",
                method: .post,
                headers: GatewayFixture.headers(.json),
                body: ByteBuffer(string: hostile)
            )
            #expect(posted.status == .created)
            let browser = try await ConsoleFixture.browser(client)
            let list = try await client.execute(uri: "/console/messages", method: .get, headers: browser.headers)
            #expect(ConsoleFixture.text(list).contains("href=\"/console/messages/1\""))
            let page = try await client.execute(uri: "/console/messages/1", method: .get, headers: browser.headers)
            #expect(page.status == .ok)
            let text = ConsoleFixture.text(page)
            #expect(!text.contains("<script>alert"))
            #expect(text.contains("&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;"))
            let trail = try await store.auditTrail(limit: 10)
            #expect(
                trail.contains {
                    $0.action == "message-read" && $0.resourceReference == "message/1" && $0.sender == "ops"
                }
            )
        }
    }

    @Test func renormaliseRunsAndIsAudited() async throws {
        try await ConsoleFixture.withConsole { client, store in
            let browser = try await ConsoleFixture.browser(client)
            let response = try await ConsoleFixture.post(
                client,
                "/console/unmatched/renormalise",
                as: browser,
                ["_csrf": browser.csrf]
            )
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/console/messages?renormalised=0")
            let page = try await client.execute(
                uri: "/console/messages?renormalised=0",
                method: .get,
                headers: browser.headers
            )
            #expect(ConsoleFixture.text(page).contains("Re-normalised the unmatched referrals of 0 partitions."))
            let trail = try await store.auditTrail(limit: 10)
            #expect(trail.contains { $0.action == "renormalise" && $0.sender == "ops" && $0.outcome == .success })
        }
    }

    @Test func retryOfAnUnknownDeliveryIsAPageNotACrash() async throws {
        try await ConsoleFixture.withConsole { client, _ in
            let browser = try await ConsoleFixture.browser(client)
            let response = try await ConsoleFixture.post(
                client,
                "/console/deliveries/99/retry",
                as: browser,
                ["_csrf": browser.csrf]
            )
            #expect(response.status == .notFound)
            #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(ConsoleFixture.text(response).contains("Delivery 99 is not known"))
        }
    }
}
