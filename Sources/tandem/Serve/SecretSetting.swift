import Foundation

/// A secret in the configuration file (a sender's `tokenHash`, a partner's `hmacSecret`, an auth token or
/// password): the value itself, or `${NAME}`, naming the environment variable that holds it.
///
/// Deployments such as `docker-compose.yml` keep the file in the repository and the secrets in the
/// environment. Only a whole value is a reference, so no other string is ever rewritten; a reference to an
/// unset or empty variable is refused with the setting's path rather than read as an empty secret.
struct SecretSetting: Decodable, Equatable {
    var value: String

    init(value: String) {
        self.value = value
    }

    init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let name = Self.referencedVariable(text) else {
            self.value = text
            return
        }
        let environment = decoder.userInfo[.environment] as? [String: String] ?? [:]
        guard let value = environment[name], !value.isEmpty else {
            throw DecodingError.unusableSetting(
                "'\(text)' names the environment variable \(name), which is not set or empty",
                at: decoder
            )
        }
        self.value = value
    }

    /// The variable a value such as `${TANDEM_SINK_SECRET}` names: letters, digits and `_`, not starting
    /// with a digit (the names a shell can export); nil for any other value.
    static func referencedVariable(_ text: String) -> String? {
        guard text.hasPrefix("${"), text.hasSuffix("}"), text.count > 3 else { return nil }
        let name = text.dropFirst(2).dropLast()
        let isName =
            name.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
            && !(name.first?.isNumber ?? true)
        return isName ? String(name) : nil
    }
}

extension CodingUserInfoKey {
    /// The process environment ``SecretSetting`` resolves `${NAME}` references in.
    static let environment = CodingUserInfoKey(rawValue: "tandem.environment")!
}
