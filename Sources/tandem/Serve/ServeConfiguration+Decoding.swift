import Delivery
import Foundation
import Server

extension ServeConfiguration {
    private static let knownKeys: Set<String> = [
        "description", "listen", "store", "maximumBodyBytes", "mappings", "senders", "partners",
        "consentDefaultPermit", "baseURL", "delivery",
    ]

    private struct File: Decodable {
        var listen: Listen?
        var store: String?
        var maximumBodyBytes: Int?
        var mappings: String?
        var senders: [SenderSetting]?
        var partners: [PartnerConfiguration]?
        var consentDefaultPermit: Bool?
        var baseURL: String?
        var delivery: DeliverySettings.File?
    }

    /// A sender as the file spells it: ``Sender`` with a token hash that may name an environment variable.
    private struct SenderSetting: Decodable {
        var name: String
        var tokenHash: SecretSetting
        var allowedTypes: [String]
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
                Sender(name: $0.name, tokenHash: $0.tokenHash.value, allowedTypes: $0.allowedTypes)
            }
        }
        if let partners = file.partners { configuration.partners = try partners.map { try $0.partner() } }
        if let permit = file.consentDefaultPermit { configuration.consentDefaultPermit = permit }
        if let baseURL = file.baseURL { configuration.baseURL = baseURL }
        if let delivery = file.delivery { configuration.delivery = try DeliverySettings(delivery) }
        try configuration.check()
        return configuration
    }

    /// Refuses values the server cannot run with.
    func check() throws {
        guard (0...65535).contains(self.listen.port) else { throw ConfigurationError("listen.port is out of range") }
        guard self.maximumBodyBytes > 0 else { throw ConfigurationError("maximumBodyBytes must be positive") }
        for sender in self.senders {
            let isHash = sender.tokenHash.count == 64 && sender.tokenHash.allSatisfy(\.isHexDigit)
            guard isHash else {
                throw ConfigurationError(
                    "sender '\(sender.name)': tokenHash must be a hex SHA-256 (tandem token-hash TOKEN)"
                )
            }
        }
        guard Set(self.senders.map(\.name)).count == self.senders.count else {
            throw ConfigurationError("sender names must be unique")
        }
        guard Set(self.partners.map(\.id)).count == self.partners.count else {
            throw ConfigurationError("partner ids must be unique")
        }
        try self.delivery.check(partners: self.partners)
    }
}
