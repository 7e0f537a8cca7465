import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore

/// The console's cookies and the random tokens they carry.
///
/// The session cookie holds 256 random bits; the store keeps only their SHA-256, so a copy of the database
/// opens no session. It is `HttpOnly` (no script reads it), `SameSite=Strict` (no other site's page sends
/// it), `Secure` when the gateway is reached over TLS, and scoped to `/console`.
enum ConsoleCookies {
    static let session = "tandem_console"
    /// The sign-in form's double-submit token (a login CSRF guard: no session exists yet).
    static let signIn = "tandem_console_sign_in"

    /// 256 random bits, base64url without padding (cookie-safe).
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return PasswordHash.encode(bytes)
    }

    /// The hash the store keys a session by.
    static func hash(_ token: String) -> String {
        SHA256.hash(data: Array(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Compares two secrets in time that depends only on their lengths.
    static func same(_ left: String, _ right: String) -> Bool {
        let left = Array(left.utf8)
        let right = Array(right.utf8)
        guard left.count == right.count, !left.isEmpty else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(left, right) { difference |= a ^ b }
        return difference == 0
    }

    /// The session cookie; `maxAge` 0 deletes it.
    static func session(_ value: String, maxAge: Int, settings: ConsoleSettings) -> Cookie {
        Cookie(
            name: Self.session,
            value: value,
            maxAge: maxAge,
            path: "/console",
            secure: settings.secureCookies,
            httpOnly: true,
            sameSite: .strict
        )
    }

    /// The sign-in form's token cookie, for ten minutes; `maxAge` 0 deletes it.
    static func signIn(_ value: String, maxAge: Int = 600, settings: ConsoleSettings) -> Cookie {
        Cookie(
            name: Self.signIn,
            value: value,
            maxAge: maxAge,
            path: "/console/sign-in",
            secure: settings.secureCookies,
            httpOnly: true,
            sameSite: .strict
        )
    }
}
