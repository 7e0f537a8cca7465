import Foundation
import Logging
import Server

/// Reloads credentials and certificates, one of ``HangupReload``'s reloads (SIGHUP): reads the configuration
/// file again and hands its accounts, SMART clients and certificate mappings to the gateway, and its TLS
/// files to the listener.
///
/// Open connections and requests in flight are untouched: a request authenticated before the reload
/// finishes under the old credentials, a connection keeps the TLS context it opened with. Everything else
/// in the file (the store, the listening address, partners' delivery settings) takes a restart; the
/// mappings are ``RunningMappings``'s to reload. A file that no longer loads changes nothing and is logged.
struct CredentialReload: Sendable {
    let path: String?
    let environment: [String: String]
    let credentials: Credentials
    let tls: TLSContexts?
    let logger: Logger

    func reload() {
        do {
            let (configuration, source) = try ServeConfiguration.load(path: self.path, environment: self.environment)
            if let tls = self.tls {
                guard let files = configuration.tls else {
                    throw ConfigurationError("the listener serves TLS; removing tls takes a restart")
                }
                try tls.reload(files)
            }
            self.credentials.replace(with: configuration.gatewaySettings)
            self.logger.info(
                "credentials reloaded",
                metadata: [
                    "tandem.config": .string(source),
                    "tandem.clients": .stringConvertible(configuration.clients.count),
                    "tandem.senders": .stringConvertible(configuration.senders.count),
                ]
            )
        } catch {
            self.logger.error(
                "reloading credentials failed; the previous ones stay",
                metadata: ["tandem.error": "\(error)"]
            )
        }
    }
}
