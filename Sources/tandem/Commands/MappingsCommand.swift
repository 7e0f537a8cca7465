import ArgumentParser
import CoManagement
import Foundation

/// `tandem mappings check|explain`: checks every mapping file, or says how the mappings treat one code.
struct MappingsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mappings",
        abstract: "Work with the Mappings/ directory.",
        subcommands: [Check.self, Explain.self]
    )

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every mapping file; exit 1 when any has an error.",
            discussion: """
                Checks service lines, roles, extraction expressions, ConceptMaps, trigger ValueSets (unknown \
                code systems, unsupported or malformed filters, codes that are not spelled as their system \
                spells them, URLs no ValueSet defines) and the SNOMED CT hierarchy file (unknown parents, \
                cycles). Problems are printed as `DIR/FILE:LINE:COLUMN: severity: message`.
                """
        )

        @Option(name: .long, help: "The mappings directory.")
        var mappings = "Mappings"

        func run() throws {
            let set = try MappingDirectory.load(at: self.mappings)
            for warning in set.warnings { print("\(self.mappings)/\(warning)") }
            let files = try MappingDirectory.files(at: self.mappings).count
            print(
                "ok: \(files) files, \(set.serviceLines.count) service lines "
                    + "(\(set.serviceLines.map(\.id).sorted().joined(separator: ", "))), "
                    + "\(set.valueSets.count) trigger ValueSets, \(set.hierarchy.concepts.count) SNOMED CT concepts"
            )
        }
    }

    struct Explain: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Say which service lines a code triggers, by which ValueSet and rule.",
            discussion: """
                CODING is `SYSTEM|CODE`, as FHIR search writes a token: \
                `http://hl7.org/fhir/sid/icd-10-cm|H25.13`. Exit 0 when the code triggers a service line, \
                1 when it triggers none.
                """
        )

        @Argument(help: "The coding, as SYSTEM|CODE.")
        var coding: String

        @Option(name: .long, help: "The mappings directory.")
        var mappings = "Mappings"

        func run() throws {
            guard let bar = self.coding.lastIndex(of: "|"), bar != self.coding.startIndex,
                self.coding.index(after: bar) != self.coding.endIndex
            else { throw ValidationError("CODING must be SYSTEM|CODE, found '\(self.coding)'") }
            let coding = Coding(
                system: String(self.coding[..<bar]),
                code: String(self.coding[self.coding.index(after: bar)...])
            )
            let set = try MappingDirectory.load(at: self.mappings)
            let explanation = set.explain(coding)
            print(TriggerExplanationText.render(explanation, valueSets: set.valueSets))
            if explanation.matches.isEmpty { throw ExitCode(1) }
        }
    }
}
