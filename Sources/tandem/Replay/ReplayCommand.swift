import ArgumentParser
import CoManagement
import FHIRCore
import Foundation

/// `tandem replay`: posts sample messages to a running gateway (`--to`), or reads, validates and normalises
/// them locally and shows what they would change and whom they would reach (`--dry-run`).
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay sample messages (JSON or XML) to a gateway, or through normalisation locally.",
        discussion: """
            A directory stands for its step files (NN-name.json, or .xml with --encoding xml) in name order; \
            goldens (*.episode.json) and scenario.json are left out. Files that are not FHIR resources are \
            skipped. With --to, each file goes to the FHIR base URL in order: a Bundle POSTed to the base, a \
            resource with an id PUT to Type/id, one without POSTed to Type; each file's status is printed, \
            with a one-line OperationOutcome summary for refusals, and the exit status is 1 if any failed. \
            With --dry-run, nothing leaves the process: each file is posted the same way to the gateway's own \
            routes on a private in-memory store, so the dry run applies exactly the rules `tandem serve` \
            applies; each file's answer, the changes it made, the deliveries the configured partners would get \
            (--config, as `tandem serve` reads it) and the final episode documents are printed. A \
            scenario.json beside the files gives the defaults for --sender and --at.
            """
    )

    @Flag(name: .long, help: "Normalise locally and print the result; nothing is sent.")
    var dryRun = false

    @Option(name: .long, help: "The gateway's FHIR base URL, e.g. http://127.0.0.1:8080/fhir.")
    var to: String?

    @Option(name: .long, help: "The sender's bearer token for --to (default: TANDEM_TOKEN).")
    var token: String?

    @Option(name: .long, help: "Seconds to wait for each answer with --to.")
    var timeout = 30

    @Option(name: .long, help: "Which twin a directory expands to: json or xml.")
    var encoding = WireFormat.json

    @Option(name: .long, help: "The configuration whose partners --dry-run plans deliveries for.")
    var config: String?

    @Option(name: .long, help: "The sender the messages come from (selects Mappings/senders overrides).")
    var sender: String?

    @Option(name: .long, help: "Evaluate overdue activities and reports at this FHIR dateTime after the last file.")
    var at: String?

    @Option(name: .long, help: "The mappings directory.")
    var mappings = "Mappings"

    @Flag(name: .long, help: "Print only the final episode documents (JSON).")
    var episodesOnly = false

    @Argument(help: "Message files or scenario directories, in posting order.")
    var files: [String]

    func validate() throws {
        switch (self.dryRun, self.to) {
        case (false, nil): throw ValidationError("say where to send: --to URL (a gateway's FHIR base), or --dry-run")
        case (true, .some): throw ValidationError("--to and --dry-run exclude each other")
        case (false, .some(let to)):
            guard let url = URL(string: to), url.scheme == "http" || url.scheme == "https", url.host != nil else {
                throw ValidationError("--to '\(to)' is not an http or https URL")
            }
            guard self.timeout > 0 else { throw ValidationError("--timeout must be positive") }
        case (true, nil):
            break
        }
        if let at, FHIRInstant(at) == nil { throw ValidationError("--at '\(at)' is not a FHIR dateTime") }
    }

    func run() async throws {
        let files = try ReplayFiles.expand(self.files, encoding: self.encoding)
        if let to = self.to {
            try await self.post(files, to: to)
        } else {
            try await self.dryRun(files)
        }
    }

    /// `--to`: posts each file and reports its status; exit 1 when any failed.
    private func post(_ names: [String], to base: String) async throws {
        var files: [(name: String, bytes: [UInt8])] = []
        for name in names {
            let bytes = try InputFile.bytes(name)
            if ScenarioDefaults.isFHIRResource(bytes) || WireFormat.sniff(bytes) == nil {
                files.append((name, bytes))
            } else {
                print("\(name): skipped (not a FHIR resource)")
            }
        }
        let poster = GatewayPoster(
            base: base.hasSuffix("/") ? String(base.dropLast()) : base,
            token: self.token ?? ProcessInfo.processInfo.environment["TANDEM_TOKEN"],
            timeout: .seconds(self.timeout)
        )
        let progress = ProgressLine(total: files.count)
        var failed = 0
        await poster.post(files) { index in
            progress.sending(index, files[index].name)
        } report: { index, target, result in
            let request = "\(target.method) \(target.path.isEmpty ? "/" : target.path)"
            switch result {
            case .answered(let status, _) where result.succeeded:
                progress.print("\(files[index].name): \(request) \(status)")
            case .answered(let status, let body):
                failed += 1
                progress.print("\(files[index].name): \(request) \(status) FAILED: \(OutcomeSummary.line(for: body))")
            case .unreachable(let reason):
                failed += 1
                progress.print("\(files[index].name): \(request) FAILED: \(reason)")
            }
        }
        progress.finish()
        print(
            "\(files.count) \(files.count == 1 ? "file" : "files"): \(files.count - failed) succeeded, \(failed) failed"
        )
        if failed > 0 { throw ExitCode(1) }
    }

    /// `--dry-run`: posts each file to a gateway in this process, on a private in-memory store, and reports
    /// what it did; the deliveries are planned for the configured partners and never sent.
    private func dryRun(_ files: [String]) async throws {
        let mappings = try MappingDirectory.load(at: self.mappings)
        let routing = try DryRunRouting.load(config: self.config)
        let scenario = files.first.flatMap(ScenarioDefaults.near)
        let sender = self.sender ?? scenario?.sender ?? "dry-run"
        let evaluateAt = self.at ?? scenario?.evaluateAt
        let report = ReplayReport(quiet: self.episodesOnly)
        let failed = try await InProcessGateway.run(
            mappings: mappings,
            partners: routing.partners,
            consentDefaultPermit: routing.consentDefaultPermit,
            sender: sender
        ) { gateway in
            var run = DryRun(gateway: gateway)
            var failed = false
            for file in files {
                let bytes = try InputFile.bytes(file)
                guard ScenarioDefaults.isFHIRResource(bytes) else {
                    report.skipped(file)
                    continue
                }
                let step = try await run.post(bytes)
                report.posted(file, sender: sender, step)
                failed = failed || !step.succeeded
            }
            if let evaluateAt, let time = FHIRInstant(evaluateAt) {
                report.evaluated(at: evaluateAt, try await run.evaluate(at: time))
            }
            report.finish(episodes: try await run.episodes(), partners: routing.partners.count)
            return failed
        }
        if failed { throw ExitCode(1) }
    }
}
