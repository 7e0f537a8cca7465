public import ArgumentParser
import Foundation
public import Store

/// `tandem deliveries`: the outbox of a gateway's store, for integration engineers.
struct DeliveriesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deliveries",
        abstract: "List, inspect, retry and requeue partner deliveries in the gateway's store.",
        discussion: """
            Works on the store the configuration names (--config, TANDEM_CONFIG, TANDEM_STORE_URL, as \
            `tandem serve` reads them), safely while the gateway runs. Every change is audited.
            """,
        subcommands: [List.self, Show.self, Retry.self, RequeueDead.self]
    )

    /// The store options every subcommand takes.
    struct StoreOptions: ParsableArguments {
        @Option(name: .long, help: "The gateway's configuration file (JSON).")
        var config: String?
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Deliveries, newest first.")

        @OptionGroup var store: StoreOptions
        @Option(name: .long, help: "Only this partner's.") var partner: String?
        @Option(name: .long, help: "Only this episode's.") var episode: String?
        @Option(name: .long, help: "Only in this state: pending, leased, delivered or dead.") var state: DeliveryState?
        @Option(name: .long, help: "At most this many.") var limit = 50

        func validate() throws {
            guard self.limit > 0 else { throw ValidationError("--limit must be positive") }
        }

        func run() async throws {
            let query = DeliveryQuery(
                partner: self.partner,
                episode: self.episode,
                state: self.state,
                limit: self.limit
            )
            let records = try await AdministeredStore.with(config: self.store.config) { store, _ in
                try await store.deliveries(query)
            }
            guard !records.isEmpty else { return print("no deliveries match") }
            print(DeliveryText.header)
            for record in records { print(DeliveryText.line(record)) }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One delivery: its row, its event and every attempt (status, duration, response excerpt)."
        )

        @OptionGroup var store: StoreOptions
        @Argument(help: "The row number or delivery id.") var id: String

        func run() async throws {
            let key = DeliveryKey(self.id)
            guard
                let detail = try await AdministeredStore.with(
                    config: self.store.config,
                    { store, _ in
                        try await store.delivery(key)
                    }
                )
            else {
                throw ValidationError("no \(key) in the outbox")
            }
            for line in DeliveryText.detail(detail) { print(line) }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a dead or failed delivery due now (its attempts are kept; a dead one gets a fresh budget)."
        )

        @OptionGroup var store: StoreOptions
        @Argument(help: "The row number or delivery id.") var id: String

        func run() async throws {
            let key = DeliveryKey(self.id)
            let actor = AdministeredStore.actor("deliveries retry")
            let record = try await Self.refusingBadRequests {
                try await AdministeredStore.with(config: self.store.config) { store, _ in
                    try await store.retry(key, by: actor, now: Date())
                }
            }
            print("due now: \(DeliveryText.line(record))")
        }

        /// A refusal the operator can act on (no such row, wrong state) is a usage error, not a crash report.
        static func refusingBadRequests<Value>(_ body: () async throws -> Value) async throws -> Value {
            do {
                return try await body()
            } catch let error as StoreError where error.code == .notFound || error.code == .invalidRequest {
                throw ValidationError(error.message)
            }
        }
    }

    struct RequeueDead: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "requeue-dead",
            abstract: "Put every dead delivery (of one partner, or of all) back to pending, due now."
        )

        @OptionGroup var store: StoreOptions
        @Option(name: .long, help: "Only this partner's.") var partner: String?

        func run() async throws {
            let actor = AdministeredStore.actor("deliveries requeue-dead")
            let records = try await AdministeredStore.with(config: self.store.config) { store, _ in
                try await store.requeueDead(partner: self.partner, by: actor, now: Date())
            }
            print("requeued \(records.count) dead \(records.count == 1 ? "delivery" : "deliveries")")
            for record in records { print(DeliveryText.line(record)) }
        }
    }
}

extension DeliveryState: ExpressibleByArgument {}
