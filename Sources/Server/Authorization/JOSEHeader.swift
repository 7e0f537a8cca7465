import Foundation

/// The fields of a compact JWS's protected header that decide which key checks it, read before any
/// key is chosen: `alg` and `kid`. Reading them verifies nothing; jwt-kit checks the signature.
struct JOSEHeader: Sendable, Hashable {
    var algorithm: String?
    var keyID: String?

    /// The header of `token` (three base64url segments); nil when it is no JWS.
    init?(token: String) {
        let segments = token.split(separator: ".", omittingEmptySubsequences: false)
        guard segments.count == 3, segments[0].count <= 4096, let data = Self.base64URL(segments[0]),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        self.algorithm = object["alg"] as? String
        self.keyID = object["kid"] as? String
    }

    /// Whether `token` has the shape of a JWS (so a bearer token is taken for an access token, not a
    /// static token).
    static func looksLikeJWS(_ token: some StringProtocol) -> Bool {
        token.hasPrefix("eyJ") && token.split(separator: ".", omittingEmptySubsequences: false).count == 3
    }

    private static func base64URL(_ text: Substring) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}
