import FHIRCore

extension MappingSet {
    /// Reads one `concept-maps/` file and adds its translations when it is a ConceptMap without
    /// validation errors; a map with errors adds nothing, so a half-read map never translates.
    static func readConceptMap(_ file: MappingFile, into table: inout ConceptMapTable, _ reader: inout MappingReader) {
        guard let root = Self.readResource(file, type: "ConceptMap", &reader) else { return }
        for problem in table.add(conceptMap: root) {
            reader.error(problem.message, at: problem.location)
        }
    }

    /// Reads one `value-sets/` file as a trigger ValueSet; nil when it is not a usable one.
    static func readValueSet(_ file: MappingFile, _ reader: inout MappingReader) -> TriggerValueSet? {
        guard let root = Self.readResource(file, type: "ValueSet", &reader) else { return nil }
        return TriggerValueSet.read(root, file: file.path, &reader)
    }

    /// Reads a mapping file that is a FHIR resource with the FHIR codec (JSON or XML) and validates it
    /// as a FHIR R4 resource of the given type; nil when it is another type or has validation errors.
    ///
    /// Validation errors become mapping errors with the validator's FHIR path and line; its warnings
    /// become mapping warnings.
    private static func readResource(_ file: MappingFile, type: String, _ reader: inout MappingReader) -> Element? {
        let parsed: ParsedResource
        do {
            parsed = try FHIRCodec.read(file.bytes)
        } catch {
            for issue in error.issues { reader.error(Self.text(of: issue), at: issue.location) }
            return nil
        }
        guard parsed.root.type == type else {
            reader.error("expected a \(type) resource, found \(parsed.root.type)", at: parsed.root.location)
            return nil
        }
        let outcome = Validator.validate(parsed)
        for issue in outcome.issues where issue.severity <= .warning {
            if issue.isError {
                reader.error(Self.text(of: issue), at: issue.location)
            } else {
                reader.warning(Self.text(of: issue), at: issue.location)
            }
        }
        return outcome.hasErrors ? nil : parsed.root
    }

    private static func text(of issue: Issue) -> String {
        (issue.path.map { "\($0): " } ?? "") + issue.message
    }
}
