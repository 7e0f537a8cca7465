import ArgumentParser
import CoManagement
import FHIRCore
import Foundation

/// `tandem replay --dry-run FILES…`: reads, validates and normalises sample messages in order, without a
/// server, and prints the changes each made and the resulting episode documents.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay sample messages (JSON or XML) through validation and normalisation.",
        discussion: """
            Files that are not FHIR resources (a scenario.json, golden *.episode.json files) are skipped, so \
            `tandem replay --dry-run Samples/ophthalmology.cataract/*.json` works as is. When a file's folder \
            holds a scenario.json, its `sender` and `evaluateAt` are the defaults for --sender and --at.
            """
    )

    @Flag(name: .long, help: "Normalise locally and print the result; nothing is sent.")
    var dryRun = false

    @Option(name: .long, help: "The sender the messages come from (selects Mappings/senders overrides).")
    var sender: String?

    @Option(name: .long, help: "Evaluate overdue activities and reports at this FHIR dateTime after the last file.")
    var at: String?

    @Option(name: .long, help: "The mappings directory.")
    var mappings = "Mappings"

    @Flag(name: .long, help: "Print only the final episode documents (JSON).")
    var episodesOnly = false

    @Argument(help: "Message files, in posting order.")
    var files: [String]

    func validate() throws {
        guard self.dryRun else {
            throw ValidationError("replay runs locally with --dry-run; posting to a running gateway is not built yet")
        }
        if let at, FHIRInstant(at) == nil { throw ValidationError("--at '\(at)' is not a FHIR dateTime") }
    }

    func run() throws {
        let normaliser = Normaliser(mappings: try MappingDirectory.load(at: self.mappings))
        let scenario = self.files.first.flatMap(ScenarioDefaults.near)
        let sender = self.sender ?? scenario?.sender
        var book = EpisodeBook()
        let report = ReplayReport(quiet: self.episodesOnly)
        var failed = false
        for file in self.files {
            let bytes = try InputFile.bytes(file)
            guard ScenarioDefaults.isFHIRResource(bytes) else {
                report.skipped(file)
                continue
            }
            do {
                let (resource, outcome) = try FHIRCodec.readAndValidate(bytes)
                guard !outcome.hasErrors else {
                    report.rejected(file, outcome)
                    failed = true
                    continue
                }
                report.ingested(file, sender: sender, outcome, normaliser.ingest(resource, sender: sender, into: &book))
            } catch {
                report.rejected(file, error)
                failed = true
            }
        }
        if let at = (self.at ?? scenario?.evaluateAt).flatMap(FHIRInstant.init) {
            report.evaluated(at: self.at ?? scenario?.evaluateAt ?? "", normaliser.reevaluate(at: at, book: &book))
        }
        report.finish(episodes: book.sortedEpisodes)
        if failed { throw ExitCode(1) }
    }
}

/// Defaults a scenario folder offers: its `scenario.json`'s sender and evaluation time.
struct ScenarioDefaults {
    var sender: String?
    var evaluateAt: String?

    static func near(_ file: String) -> ScenarioDefaults? {
        let scenario = URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent("scenario.json")
        guard let data = FileManager.default.contents(atPath: scenario.path),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        return ScenarioDefaults(sender: object["sender"] as? String, evaluateAt: object["evaluateAt"] as? String)
    }

    /// Whether the bytes look like a FHIR resource: XML, or JSON with a `resourceType`.
    static func isFHIRResource(_ bytes: [UInt8]) -> Bool {
        switch WireFormat.sniff(bytes) {
        case .xml: return true
        case .json: return String(decoding: bytes.prefix(4096), as: UTF8.self).contains("\"resourceType\"")
        case nil: return false
        }
    }
}
