import CoManagement
import FHIRCore

/// Reads FHIR JSON literals for tests with the gateway's own reader, and insists they are valid R4.
///
/// Fixtures are our own data: one that does not read or validate is a broken test, hence the
/// precondition (test fixtures are often `static let`s, which cannot throw).
enum FHIRFixture {
    static func resource(_ json: String) -> Element {
        let parsed: ParsedResource
        do {
            parsed = try FHIRJSON.read(Array(json.utf8))
        } catch {
            preconditionFailure("fixture is not FHIR JSON: \(error)")
        }
        let outcome = Validator.validate(parsed)
        precondition(!outcome.hasErrors, "fixture is not valid FHIR R4:\n\(outcome)\n\(json)")
        return parsed.root
    }
}
