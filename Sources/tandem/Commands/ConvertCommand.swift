import ArgumentParser
import FHIRCore
import Foundation

/// `tandem convert --to json|xml FILE`: reads a resource in either format and prints it in the other.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a FHIR R4 resource between JSON and XML.",
        discussion: """
            The input format is recognised from the content. The resource is validated first: when it has \
            errors, nothing is printed to standard output, the OperationOutcome goes to standard error and \
            the exit code is 1.
            """
    )

    @Option(name: .long, help: "The format to write: json or xml.")
    var to: WireFormat

    @Flag(name: .long, help: "Write without indentation.")
    var compact = false

    @Argument(help: "The resource file, or - for standard input.")
    var file: String

    func run() throws {
        let bytes = try InputFile.bytes(self.file)
        let resource: Element
        let outcome: Outcome
        do {
            (resource, outcome) = try FHIRCodec.readAndValidate(bytes)
        } catch {
            Output.write(FHIRCodec.write(error.resource, as: .json, pretty: true), to: .standardError)
            throw ExitCode(1)
        }
        if outcome.hasErrors {
            Output.write(FHIRCodec.write(outcome.resource, as: .json, pretty: true), to: .standardError)
            throw ExitCode(1)
        }
        Output.write(FHIRCodec.write(resource, as: self.to, pretty: !self.compact))
    }
}
