import ArgumentParser
import FHIRCore
import Foundation

/// `tandem validate FILE`: prints the OperationOutcome for a resource; exit 1 when it has an error.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Validate a FHIR R4 resource (JSON or XML) and print the OperationOutcome.",
        discussion: "Exits 0 when there is no error (warnings allowed), 1 when there is one."
    )

    @Option(name: .long, help: "The format of the OperationOutcome: json or xml.")
    var format: WireFormat = .json

    @Argument(help: "The resource file, or - for standard input.")
    var file: String

    func run() throws {
        let bytes = try InputFile.bytes(self.file)
        let outcome: Outcome
        do {
            outcome = try FHIRCodec.readAndValidate(bytes).outcome
        } catch {
            outcome = error
        }
        Output.write(FHIRCodec.write(outcome.resource, as: self.format, pretty: true))
        if outcome.hasErrors { throw ExitCode(1) }
    }
}
