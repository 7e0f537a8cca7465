import ArgumentParser
import CoManagement
import Delivery
import Foundation
import Store

/// The partners a dry run plans deliveries for, read as `tandem serve` reads its configuration.
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

    func planner() -> Planner { Planner(routing: self) }

    /// Plans each change with ``DeliveryPlanner`` as the ingest transaction would, numbering each
    /// partner's events per episode across the whole replay (the outbox does this in the store).
    struct Planner {
        let routing: DryRunRouting
        private var lastEventNumbers: [String: [String: Int]] = [:]

        init(routing: DryRunRouting) {
            self.routing = routing
        }

        mutating func plan(_ ingestion: Ingestion) -> [DeliveryPlan] {
            guard !self.routing.partners.isEmpty else { return [] }
            var plans: [DeliveryPlan] = []
            for change in ingestion.changes {
                // A re-keyed episode keeps its streams, as the outbox moves its rows to the new id.
                if let previous = change.previousEpisodeID, previous != change.episodeID,
                    let numbers = self.lastEventNumbers.removeValue(forKey: previous)
                {
                    self.lastEventNumbers[change.episodeID] = numbers
                }
                guard !change.events.isEmpty else { continue }
                let plan = DeliveryPlanner.plan(
                    change: change,
                    partners: self.routing.partners,
                    consentDefaultPermit: self.routing.consentDefaultPermit,
                    lastEventNumbers: self.lastEventNumbers[change.episodeID] ?? [:]
                )
                for delivery in plan.deliveries {
                    self.lastEventNumbers[change.episodeID, default: [:]][delivery.partnerID] = delivery.eventNumber
                }
                plans.append(plan)
            }
            return plans
        }
    }
}
