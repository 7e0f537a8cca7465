import CoManagement
import Delivery
import Foundation
import Server

extension ServeConfiguration {
    private static let knownKeys: Set<String> = [
        "description", "demo", "listen", "store", "maximumBodyBytes", "mappings", "senders", "partners",
        "operators", "consentDefaultPermit", "baseURL", "delivery", "clients", "tls", "authorization", "limits",
        "partitionCache", "timers", "clock", "console",
    ]

    private struct File: Decodable {
        var demo: Bool?
        var listen: Listen?
        var store: String?
        var maximumBodyBytes: Int?
        var mappings: String?
        var senders: [SenderSetting]?
        var partners: [PartnerConfiguration]?
        var operators: [OperatorSetting]?
        var consentDefaultPermit: Bool?
        var baseURL: String?
        var delivery: DeliverySettings.File?
        var partitionCache: Int?
        var clients: [SecuritySettings.ClientFile]?
        var tls: SecuritySettings.TLSFile?
        var authorization: SecuritySettings.AuthorizationFile?
        var limits: SecuritySettings.LimitsFile?
        var timers: TimerSettings.File?
        var clock: TimerSettings.ClockFile?
        var console: ConsoleFile?
    }

    /// `{"sessionLifetime": "8h"}`: the operations console's sessions.
    private struct ConsoleFile: Decodable {
        var sessionLifetime: FriendlyDuration?
    }

    /// A sender as the file spells it: ``Sender`` with a token hash that may name an environment variable,
    /// or none when the sender signs in only as a SMART client or with a client certificate.
    private struct SenderSetting: Decodable {
        var name: String
        var tokenHash: SecretSetting?
        var allowedTypes: [String]
    }

    /// An operator as the file spells it; without a token hash when it signs in only as a SMART client or
    /// to the console, with a `passwordHash` (`tandem password-hash`) when it signs in to the console.
    private struct OperatorSetting: Decodable {
        var name: String
        var tokenHash: SecretSetting?
        var passwordHash: SecretSetting?
    }

    /// Decodes a configuration file; absent keys keep the embedded defaults. Secrets written `${NAME}`
    /// (``SecretSetting``) are read from `environment`.
    ///
    /// - Throws: ``ConfigurationError`` for malformed JSON, unknown keys, unset variables or impossible values.
    static func decode(_ bytes: [UInt8], environment: [String: String] = [:]) throws -> ServeConfiguration {
        let data = Data(bytes)
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ConfigurationError("the configuration is not a JSON object")
        }
        let unknown = Set(object.keys).subtracting(Self.knownKeys)
        guard unknown.isEmpty else {
            throw ConfigurationError("unknown configuration keys: \(unknown.sorted().joined(separator: ", "))")
        }
        for (key, known) in SecuritySettings.knownKeys {
            guard let section = object[key] as? [String: Any] else { continue }
            let unknown = Set(section.keys).subtracting(known)
            guard unknown.isEmpty else {
                throw ConfigurationError("unknown keys in \(key): \(unknown.sorted().joined(separator: ", "))")
            }
        }
        for (key, known) in TimerSettings.knownKeys {
            guard let section = object[key] as? [String: Any] else { continue }
            let unknown = Set(section.keys).subtracting(known)
            guard unknown.isEmpty else {
                throw ConfigurationError("unknown keys in \(key): \(unknown.sorted().joined(separator: ", "))")
            }
        }
        if let delivery = object["delivery"] as? [String: Any] {
            let unknown = Set(delivery.keys).subtracting(DeliverySettings.knownKeys)
            guard unknown.isEmpty else {
                throw ConfigurationError(
                    "unknown keys in delivery: \(unknown.sorted().joined(separator: ", "))"
                )
            }
        }
        let file: File
        do {
            let decoder = JSONDecoder()
            decoder.userInfo[.environment] = environment
            file = try decoder.decode(File.self, from: data)
        } catch {
            throw ConfigurationError("the configuration cannot be read: \(error)")
        }
        var configuration = Self.embedded
        if let listen = file.listen { configuration.listen = listen }
        if let store = file.store { configuration.store = store }
        if let limit = file.maximumBodyBytes { configuration.maximumBodyBytes = limit }
        if let mappings = file.mappings { configuration.mappings = mappings }
        if let senders = file.senders {
            configuration.senders = senders.map {
                Sender(name: $0.name, tokenHash: $0.tokenHash?.value ?? "", allowedTypes: $0.allowedTypes)
            }
        }
        if let demo = file.demo { configuration.demo = demo }
        if let partners = file.partners {
            configuration.partners = try partners.compactMap { try $0.partner() }
            configuration.subscriberProfiles = partners.map { $0.profile() }
            configuration.partnerAccounts = partners.compactMap { $0.account() }
        }
        if let operators = file.operators {
            configuration.operators = try operators.map { setting in
                var passwordHash: PasswordHash?
                if let text = setting.passwordHash?.value {
                    guard let hash = PasswordHash(text) else {
                        throw ConfigurationError(
                            "operator '\(setting.name)': passwordHash must be what tandem password-hash prints "
                                + "(pbkdf2-sha256, at least \(PasswordHash.minimumIterations) iterations)"
                        )
                    }
                    passwordHash = hash
                }
                return Operator(
                    name: setting.name,
                    tokenHash: setting.tokenHash?.value ?? "",
                    passwordHash: passwordHash
                )
            }
        }
        if let lifetime = file.console?.sessionLifetime?.duration {
            guard lifetime > .zero else { throw ConfigurationError("console.sessionLifetime must be positive") }
            configuration.consoleSessionLifetime = lifetime
        }
        if let permit = file.consentDefaultPermit { configuration.consentDefaultPermit = permit }
        if let baseURL = file.baseURL { configuration.baseURL = baseURL }
        if let delivery = file.delivery { configuration.delivery = try DeliverySettings(delivery) }
        if let partitions = file.partitionCache { configuration.partitionCache = partitions }
        configuration.timers = try TimerSettings(file.timers, clock: file.clock)
        configuration.clients = try SecuritySettings.clients(
            file.clients ?? [],
            senders: configuration.senders,
            partners: file.partners ?? [],
            operators: configuration.operators
        )
        if let tls = file.tls {
            configuration.tls = ListenerTLS(certificate: tls.certificate, key: tls.key, clientCA: tls.clientCA)
        }
        configuration.certificateSenders = try SecuritySettings.certificateSenders(
            file.tls,
            senders: configuration.senders
        )
        if let authorization = file.authorization {
            configuration.issuer = authorization.issuer
            configuration.authorization = AuthorizationSettings(
                tokenLifetime: authorization.tokenLifetime?.duration ?? .seconds(300),
                keyRotation: authorization.keyRotation?.duration ?? .seconds(86_400),
                keyOverlap: authorization.keyOverlap?.duration ?? .seconds(3_600)
            )
        }
        configuration.limits = try SecuritySettings.limits(file.limits)
        try configuration.check()
        return configuration
    }

    /// Refuses values the server cannot run with.
    func check() throws {
        guard (0...65535).contains(self.listen.port) else { throw ConfigurationError("listen.port is out of range") }
        guard self.maximumBodyBytes > 0 else { throw ConfigurationError("maximumBodyBytes must be positive") }
        guard self.partitionCache >= 0 else { throw ConfigurationError("partitionCache must not be negative") }
        // An account without a static token must sign in some other way: as a client, or by certificate.
        let clientAccounts = Set(self.clients.map { Principal($0.role).name })
        let certificateSenders = Set(self.certificateSenders.map(\.sender.name))
        for sender in self.senders where sender.tokenHash.isEmpty {
            guard clientAccounts.contains(sender.name) || certificateSenders.contains(sender.name) else {
                throw ConfigurationError("sender '\(sender.name)' has no tokenHash, client or client certificate")
            }
        }
        for person in self.operators where person.tokenHash.isEmpty && person.passwordHash == nil {
            guard clientAccounts.contains(person.name) else {
                throw ConfigurationError("operator '\(person.name)' has no tokenHash, passwordHash or client")
            }
        }
        let accounts =
            (self.senders.map { ("sender '\($0.name)'", $0.tokenHash) }
            + self.partnerAccounts.map { ("partner '\($0.id)'", $0.tokenHash) }
            + self.operators.map { ("operator '\($0.name)'", $0.tokenHash) }).filter { !$0.1.isEmpty }
        for (account, hash) in accounts {
            guard hash.count == 64 && hash.allSatisfy(\.isHexDigit) else {
                throw ConfigurationError("\(account): tokenHash must be a hex SHA-256 (tandem token-hash TOKEN)")
            }
        }
        guard Set(accounts.map(\.1)).count == accounts.count else {
            throw ConfigurationError("every sender, partner and operator needs a token of its own")
        }
        guard !self.senders.contains(where: { $0.name == HandoffTaskResources.sender }) else {
            throw ConfigurationError(
                "no sender may be named '\(HandoffTaskResources.sender)': Tandem owns the hand-off Tasks it creates under that name"
            )
        }
        guard Set(self.senders.map(\.name)).count == self.senders.count else {
            throw ConfigurationError("sender names must be unique")
        }
        guard Set(self.operators.map(\.name)).count == self.operators.count else {
            throw ConfigurationError("operator names must be unique")
        }
        guard Set(self.partners.map(\.id)).count == self.partners.count else {
            throw ConfigurationError("partner ids must be unique")
        }
        guard Set(self.clients.map(\.id)).count == self.clients.count else {
            throw ConfigurationError("client ids must be unique")
        }
        let authorization = self.authorization
        guard authorization.tokenLifetime > .zero, authorization.keyOverlap >= authorization.tokenLifetime,
            authorization.keyOverlap < authorization.keyRotation
        else {
            throw ConfigurationError(
                "authorization: keyOverlap must be at least tokenLifetime and shorter than keyRotation"
            )
        }
        try self.delivery.check(partners: self.partners)
    }
}
