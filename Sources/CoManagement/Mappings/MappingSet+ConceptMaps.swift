import FHIRCore

extension MappingSet {
    /// Reads one `concept-maps/` file with the FHIR codec, validates it as a FHIR R4 resource, and adds
    /// its translations when it is a ConceptMap without validation errors.
    ///
    /// Validation errors become mapping errors with the validator's FHIR path and line; its warnings
    /// become mapping warnings. A map with errors adds nothing, so a half-read map never translates.
    static func readConceptMap(_ file: MappingFile, into table: inout ConceptMapTable, _ reader: inout MappingReader) {
        let parsed: ParsedResource
        do {
            parsed = try FHIRCodec.read(file.bytes)
        } catch {
            for issue in error.issues { reader.error(Self.text(of: issue), at: issue.location) }
            return
        }
        guard parsed.root.type == "ConceptMap" else {
            reader.error("expected a ConceptMap resource, found \(parsed.root.type)", at: parsed.root.location)
            return
        }
        let outcome = Validator.validate(parsed)
        for issue in outcome.issues where issue.severity <= .warning {
            if issue.isError {
                reader.error(Self.text(of: issue), at: issue.location)
            } else {
                reader.warning(Self.text(of: issue), at: issue.location)
            }
        }
        guard !outcome.hasErrors else { return }
        for problem in table.add(conceptMap: parsed.root) {
            reader.error(problem.message, at: problem.location)
        }
    }

    private static func text(of issue: Issue) -> String {
        (issue.path.map { "\($0): " } ?? "") + issue.message
    }
}
