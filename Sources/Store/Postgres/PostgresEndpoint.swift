import Foundation

/// Where a PostgreSQL database is, parsed from a store URL: `postgres://user[:password]@host[:port]/db`.
///
/// `?sslmode=disable|prefer|require` chooses TLS as libpq's parameter of that name does (default
/// `prefer`: TLS when the server offers it). The password may instead come from the environment (the
/// composition root reads `TANDEM_STORE_PASSWORD`), so it need not sit in a configuration file.
public struct PostgresEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// TLS towards the server.
    public enum TLSMode: String, Sendable, Hashable {
        case disable, prefer, require
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var tls: TLSMode

    public init(
        host: String,
        port: Int = 5432,
        username: String,
        password: String? = nil,
        database: String,
        tls: TLSMode = .prefer
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
    }

    /// Parses `postgres://` or `postgresql://` URLs.
    ///
    /// - Throws: ``StoreError/Code/invalidRequest`` naming what is missing or wrong.
    public init(url: String) throws(StoreError) {
        guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://"),
            let components = URLComponents(string: url)
        else {
            throw StoreError(.invalidRequest, "not a PostgreSQL URL (expected postgres://user@host:port/database)")
        }
        guard let host = components.host, !host.isEmpty else {
            throw StoreError(.invalidRequest, "the PostgreSQL URL names no host")
        }
        guard let username = components.user, !username.isEmpty else {
            throw StoreError(.invalidRequest, "the PostgreSQL URL names no user (postgres://user@host/database)")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else {
            throw StoreError(.invalidRequest, "the PostgreSQL URL names no database (postgres://user@host/database)")
        }
        var tls = TLSMode.prefer
        for item in components.queryItems ?? [] {
            guard item.name == "sslmode" else {
                throw StoreError(.invalidRequest, "unknown PostgreSQL URL parameter '\(item.name)' (only sslmode)")
            }
            guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                throw StoreError(.invalidRequest, "sslmode must be disable, prefer or require")
            }
            tls = mode
        }
        self.init(
            host: host,
            port: components.port ?? 5432,
            username: components.user?.removingPercentEncoding ?? username,
            password: components.password?.removingPercentEncoding,
            database: database.removingPercentEncoding ?? database,
            tls: tls
        )
    }

    /// The URL without the password, for logs.
    public var description: String {
        "postgres://\(self.username)@\(self.host):\(self.port)/\(self.database)"
            + (self.tls == .prefer ? "" : "?sslmode=\(self.tls.rawValue)")
    }
}
