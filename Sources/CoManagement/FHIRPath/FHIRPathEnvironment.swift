/// What an evaluation may know beyond the resource: external constants and the current time.
///
/// FHIRPath is pure here: `now()`, `today()` and `timeOfDay()` read ``now`` instead of a clock, so the
/// caller decides what "now" means (the time a message was received, say). `%resource`, `%context`,
/// `%rootResource` are set by the evaluator; `%ucum`, `%sct`, `%loinc` and `%"vs-name"` have their spec
/// values (https://hl7.org/fhir/R4/fhirpath.html#variables) unless overridden in ``variables``.
public struct FHIRPathEnvironment: Sendable {
    /// External constants by name without `%`: `variables["mapping"] = [.string("x")]`.
    public var variables: [String: [FHIRPathValue]]
    /// The moment `now()` returns; nil makes `now()`, `today()` and `timeOfDay()` an evaluation error.
    public var now: FHIRPathDateTime?
    /// Receives `trace(name)` output; nil ignores it. Called synchronously during evaluation.
    public var trace: (@Sendable (String, [FHIRPathValue]) -> Void)?

    public init(
        variables: [String: [FHIRPathValue]] = [:],
        now: FHIRPathDateTime? = nil,
        trace: (@Sendable (String, [FHIRPathValue]) -> Void)? = nil
    ) {
        self.variables = variables
        self.now = now
        self.trace = trace
    }

    /// The value of `%name`, including the spec's predefined terminology constants.
    func variable(_ name: String) -> [FHIRPathValue]? {
        if let value = self.variables[name] { return value }
        switch name {
        case "ucum": return [.string("http://unitsofmeasure.org")]
        case "sct": return [.string("http://snomed.info/sct")]
        case "loinc": return [.string("http://loinc.org")]
        default:
            if name.hasPrefix("vs-") { return [.string("http://hl7.org/fhir/ValueSet/" + name.dropFirst(3))] }
            if name.hasPrefix("ext-") {
                return [.string("http://hl7.org/fhir/StructureDefinition/" + name.dropFirst(4))]
            }
            return nil
        }
    }
}
