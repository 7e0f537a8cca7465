import ArgumentParser
import CoManagement
import Foundation

/// `tandem mappings check`: loads every mapping file and reports problems with file, line and column.
struct MappingsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mappings",
        abstract: "Work with the Mappings/ directory.",
        subcommands: [Check.self]
    )

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every mapping file; exit 1 when any has an error.",
            discussion: "Problems are printed as `DIR/FILE:LINE:COLUMN: severity: message`."
        )

        @Option(name: .long, help: "The mappings directory.")
        var mappings = "Mappings"

        func run() throws {
            let set = try MappingDirectory.load(at: self.mappings)
            for warning in set.warnings { print("\(self.mappings)/\(warning)") }
            let files = try MappingDirectory.files(at: self.mappings).count
            print(
                "ok: \(files) files, \(set.serviceLines.count) service lines "
                    + "(\(set.serviceLines.map(\.id).sorted().joined(separator: ", ")))"
            )
        }
    }
}
