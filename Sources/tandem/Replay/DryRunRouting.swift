import ArgumentParser
import Delivery
import Foundation

/// The partners a dry run plans deliveries for, read as `tandem serve` reads its configuration; the
/// dry run's own store plans them, as the gateway's does (``InProcessGateway``).
struct DryRunRouting {
    var partners: [Partner]
    var consentDefaultPermit: Bool

    /// `--config`, else `TANDEM_CONFIG`, else the sample configuration, else the embedded defaults.
    static func load(config: String?) throws -> DryRunRouting {
        do {
            let (settings, _) = try ServeConfiguration.load(
                path: config,
                environment: ProcessInfo.processInfo.environment
            )
            return DryRunRouting(partners: settings.partners, consentDefaultPermit: settings.consentDefaultPermit)
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
    }
}
