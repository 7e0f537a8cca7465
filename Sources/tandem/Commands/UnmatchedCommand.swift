import ArgumentParser
import CoManagement
import Foundation
import Store

/// `tandem unmatched`: the referrals no episode holds because no service line matched their codes, read
/// from the gateway's store: what the mappings miss, with the codes to add (`GET /unmatched` answers the
/// same over HTTP).
struct UnmatchedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unmatched",
        abstract: "List the referrals no service line matched, with their codes, newest first.",
        discussion: """
            Works on the store the configuration names (--config, TANDEM_CONFIG, TANDEM_STORE_URL, as \
            `tandem serve` reads them), safely while the gateway runs. Add the codes to a service line's value \
            set (tandem mappings explain SYSTEM CODE shows why one does not trigger) and send the gateway \
            SIGHUP: it normalises these referrals again and opens their episodes.
            """
    )

    @Option(name: .long, help: "The gateway's configuration file (JSON).") var config: String?
    @Option(name: .long, help: "At most this many.") var limit = 100

    func validate() throws {
        guard self.limit > 0 else { throw ValidationError("--limit must be positive") }
    }

    func run() async throws {
        let limit = self.limit
        let records = try await AdministeredStore.with(config: self.config) { store, _ in
            try await store.unmatchedReferrals(limit: limit)
        }
        guard !records.isEmpty else { return print("no unmatched referrals") }
        for record in records { print(Self.line(record)) }
    }

    /// `time  sender  ServiceRequest/id  ServiceRequest.code  system|code, …  [continues line]`.
    static func line(_ record: UnmatchedRecord) -> String {
        let codes =
            record.referral.codes.isEmpty
            ? "no codes" : record.referral.codes.map { "\($0.system ?? "")|\($0.code)" }.joined(separator: ", ")
        let reason = record.referral.serviceLine.map { "continues \($0), which has no open episode" } ?? "no trigger"
        return [
            DeliveryText.time(record.recordedAt), record.sender, record.referral.key, record.referral.path, codes,
            reason, "mappings \(record.mappingsVersion ?? "-")",
        ].joined(separator: "  ")
    }
}
