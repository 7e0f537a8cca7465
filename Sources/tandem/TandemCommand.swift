import ArgumentParser

/// `tandem`: the co-management FHIR gateway's command line.
@main
struct TandemCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tandem",
        abstract: "An HL7 FHIR R4 gateway for co-managed care.",
        subcommands: [
            ServeCommand.self, ConvertCommand.self, ValidateCommand.self, FHIRPathCommand.self, MappingsCommand.self,
            ReplayCommand.self, DeliveriesCommand.self, RedeliverCommand.self, UnmatchedCommand.self, SinkCommand.self,
            TokenHashCommand.self, MeasuresCommand.self,
            PasswordHashCommand.self,
        ]
    )
}
