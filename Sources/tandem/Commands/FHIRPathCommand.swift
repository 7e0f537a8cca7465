import ArgumentParser
import CoManagement
import FHIRCore
import Foundation

/// `tandem fhirpath 'EXPR' FILE`: evaluates a FHIRPath expression on a resource and prints the result
/// collection as a JSON array.
struct FHIRPathCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fhirpath",
        abstract: "Evaluate a FHIRPath expression on a FHIR resource (JSON or XML).",
        discussion: "`now()` and `today()` use the current time. Exit 1 on a syntax or evaluation error."
    )

    @Argument(help: "The FHIRPath expression, e.g. \"Patient.name.where(use = 'official').given\".")
    var expression: String

    @Argument(help: "The resource file, or - for standard input.")
    var file: String

    func run() throws {
        let compiled: FHIRPathExpression
        do {
            compiled = try FHIRPathExpression(self.expression)
        } catch {
            throw ValidationError("\(error)")
        }
        let resource: Element
        do {
            resource = try FHIRCodec.read(try InputFile.bytes(self.file)).root
        } catch let outcome as Outcome {
            Output.write(FHIRCodec.write(outcome.resource, as: .json, pretty: true), to: .standardError)
            throw ExitCode(1)
        }
        var environment = FHIRPathEnvironment()
        environment.now = FHIRPathDateTime(dateTime: Self.currentInstant())
        do {
            print(FHIRPathResultJSON.render(try compiled.evaluate(resource, environment: environment)))
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    /// The current time as a FHIR instant (the executable owns the clock; FHIRPath is pure).
    static func currentInstant() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }
}
