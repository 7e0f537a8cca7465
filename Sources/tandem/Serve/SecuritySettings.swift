import Foundation
import JWTKit
import Server

/// The security parts of the configuration file as people write them: SMART clients, TLS on the listener,
/// the token settings and the limits (durations as "10s", keys inline or in files).
struct SecuritySettings {
    /// `{"clientId", "sender"|"partner"|"operator": NAME, "scopes": [...], "jwks": {...} | "jwksFile": PATH}`.
    struct ClientFile: Decodable {
        var clientId: String
        var sender: String?
        var partner: String?
        var `operator`: String?
        var scopes: [String]?
        var jwks: JWKS?
        var jwksFile: String?
    }

    /// `{"certificate", "key", "clientCA", "clientCertificates": [{"sender", "commonName", "fingerprint"}]}`.
    struct TLSFile: Decodable {
        struct Mapping: Decodable {
            var sender: String
            var commonName: String?
            var fingerprint: String?
        }

        var certificate: String
        var key: String
        var clientCA: String?
        var clientCertificates: [Mapping]?
    }

    /// `{"issuer", "tokenLifetime", "keyRotation", "keyOverlap"}`.
    struct AuthorizationFile: Decodable {
        var issuer: String?
        var tokenLifetime: FriendlyDuration?
        var keyRotation: FriendlyDuration?
        var keyOverlap: FriendlyDuration?
    }

    struct LimitsFile: Decodable {
        var requestsPerSecond: Double?
        var burst: Int?
        var maximumConcurrentRequests: Int?
        var maximumConcurrentRequestsPerClient: Int?
        var requestTimeout: FriendlyDuration?
        var maximumHeaderFieldBytes: Int?
        var maximumHeaderBytes: Int?
        var maximumHeaderCount: Int?
        var refusalSummaryInterval: FriendlyDuration?
    }

    static let knownKeys: [String: Set<String>] = [
        "tls": ["certificate", "key", "clientCA", "clientCertificates"],
        "authorization": ["issuer", "tokenLifetime", "keyRotation", "keyOverlap"],
        "console": ["sessionLifetime"],
        "limits": [
            "requestsPerSecond", "burst", "maximumConcurrentRequests", "maximumConcurrentRequestsPerClient",
            "requestTimeout", "maximumHeaderFieldBytes",
            "maximumHeaderBytes", "maximumHeaderCount", "refusalSummaryInterval",
        ],
    ]

    /// The registered clients, each bound to an account the configuration names.
    static func clients(
        _ files: [ClientFile],
        senders: [Sender],
        partners: [PartnerConfiguration],
        operators: [Operator]
    ) throws -> [Client] {
        try files.map { file in
            let what = "client '\(file.clientId)'"
            let role: Principal.Role
            switch (file.sender, file.partner, file.operator) {
            case (let name?, nil, nil):
                guard let sender = senders.first(where: { $0.name == name }) else {
                    throw ConfigurationError("\(what): no sender is named '\(name)'")
                }
                role = .sender(sender)
            case (nil, let id?, nil):
                guard let partner = partners.first(where: { $0.id == id }) else {
                    throw ConfigurationError("\(what): no partner has the id '\(id)'")
                }
                role = .partner(PartnerAccount(id: id, tokenHash: "", represents: partner.represents ?? []))
            case (nil, nil, let name?):
                guard let person = operators.first(where: { $0.name == name }) else {
                    throw ConfigurationError("\(what): no operator is named '\(name)'")
                }
                role = .operator(person)
            default:
                throw ConfigurationError("\(what) must name exactly one of sender, partner or operator")
            }
            let scopeTexts = file.scopes ?? ["system/*.cruds"]
            let scopes = scopeTexts.compactMap { Scope($0) }
            guard scopes.count == scopeTexts.count, !scopes.isEmpty else {
                throw ConfigurationError("\(what): scopes must be SMART system scopes such as system/*.rs")
            }
            let jwks = try Self.jwks(of: file, what: what)
            if let problem = Client.problem(with: jwks) { throw ConfigurationError("\(what): \(problem)") }
            return Client(id: file.clientId, role: role, scopes: scopes, jwks: jwks)
        }
    }

    private static func jwks(of file: ClientFile, what: String) throws -> JWKS {
        switch (file.jwks, file.jwksFile) {
        case (let jwks?, nil):
            return jwks
        case (nil, let path?):
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ConfigurationError("\(what): cannot read jwksFile '\(path)'")
            }
            do {
                return try JSONDecoder().decode(JWKS.self, from: data)
            } catch {
                throw ConfigurationError("\(what): jwksFile '\(path)' is not a JWKS")
            }
        default:
            throw ConfigurationError("\(what) needs either jwks or jwksFile")
        }
    }

    /// The mTLS mappings, each bound to a configured sender.
    static func certificateSenders(_ tls: TLSFile?, senders: [Sender]) throws -> [CertificateSender] {
        guard let mappings = tls?.clientCertificates else { return [] }
        guard tls?.clientCA != nil else {
            throw ConfigurationError("tls.clientCertificates needs tls.clientCA, the CA that issues them")
        }
        return try mappings.map { mapping in
            guard let sender = senders.first(where: { $0.name == mapping.sender }) else {
                throw ConfigurationError("tls.clientCertificates: no sender is named '\(mapping.sender)'")
            }
            guard mapping.commonName != nil || mapping.fingerprint != nil else {
                throw ConfigurationError("tls.clientCertificates: '\(mapping.sender)' needs commonName or fingerprint")
            }
            return CertificateSender(sender: sender, commonName: mapping.commonName, fingerprint: mapping.fingerprint)
        }
    }

    static func limits(_ file: LimitsFile?) throws -> Limits {
        var limits = Limits()
        guard let file else { return limits }
        if let value = file.requestsPerSecond { limits.requestsPerSecond = value }
        if let value = file.burst { limits.burst = value }
        if let value = file.maximumConcurrentRequests { limits.maximumConcurrentRequests = value }
        if let value = file.maximumConcurrentRequestsPerClient { limits.maximumConcurrentRequestsPerClient = value }
        if let value = file.requestTimeout { limits.requestTimeout = value.duration }
        if let value = file.maximumHeaderFieldBytes { limits.maximumHeaderFieldBytes = value }
        if let value = file.maximumHeaderBytes { limits.maximumHeaderBytes = value }
        if let value = file.maximumHeaderCount { limits.maximumHeaderCount = value }
        if let value = file.refusalSummaryInterval { limits.refusalSummaryInterval = value.duration }
        guard limits.requestsPerSecond >= 0, limits.burst >= 1, limits.maximumConcurrentRequests >= 0,
            limits.maximumConcurrentRequestsPerClient >= 0,
            limits.requestTimeout > .zero, limits.maximumHeaderFieldBytes > 0, limits.maximumHeaderBytes > 0,
            limits.maximumHeaderCount > 0, limits.refusalSummaryInterval > .zero
        else {
            throw ConfigurationError("limits: rates and counts must not be negative, sizes and times must be positive")
        }
        return limits
    }
}
