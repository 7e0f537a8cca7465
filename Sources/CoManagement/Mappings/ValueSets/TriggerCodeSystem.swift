/// A code system whose structure Tandem knows, so trigger ValueSets may filter on it: how its codes are
/// spelled and compared, and what `is-a` means in it.
///
/// Codings are compared by system URI exactly as FHIR writes it. Systems not listed here may still be
/// named in a ValueSet by concept lists (see ``TriggerValueSet``), never by filters.
public enum TriggerCodeSystem: String, Sendable, Hashable, CaseIterable {
    /// ICD-10-CM. Its hierarchy is its code structure: `H25` stands for `H25.0`, `H25.011` and every
    /// other code that starts with it. The 7th character of injury codes names the encounter
    /// (``EpisodeOpening``).
    case icd10CM = "http://hl7.org/fhir/sid/icd-10-cm"
    /// WHO ICD-10, structured as ICD-10-CM (categories and their subcodes), without a 7th character.
    case icd10 = "http://hl7.org/fhir/sid/icd-10"
    /// SNOMED CT. `is-a` follows the hierarchy file (``ConceptHierarchy``).
    case snomedCT = "http://snomed.info/sct"
    /// CPT: five characters. No hierarchy Tandem follows: blocks are written as concept lists.
    case cpt = "http://www.ama-assn.org/go/cpt"
    /// HCPCS Level II: a letter and four digits. Blocks are written as concept lists.
    case hcpcs = "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"

    /// Tandem's own code systems (local service codes): known, matched exactly, no filters.
    public static let tandemNamespace = "http://tandem.example.org/fhir/CodeSystem/"

    /// The system's usual name, for messages.
    public var name: String {
        switch self {
        case .icd10CM: "ICD-10-CM"
        case .icd10: "ICD-10"
        case .snomedCT: "SNOMED CT"
        case .cpt: "CPT"
        case .hcpcs: "HCPCS"
        }
    }

    /// Whether `is-a` and `descendent-of` filters mean something in this system.
    public var hasHierarchy: Bool {
        switch self {
        case .icd10CM, .icd10, .snomedCT: true
        case .cpt, .hcpcs: false
        }
    }

    /// The form codes are compared in: ICD-10 without its dot and in upper case (senders write both
    /// `H25.13` and `H2513`), other systems as written.
    public func normalised(_ code: String) -> String {
        switch self {
        case .icd10CM, .icd10: String(code.uppercased().filter { $0 != "." })
        case .snomedCT, .cpt, .hcpcs: code
        }
    }

    /// A normalised code as people write it: ICD-10 with its dot back (`S721` → `S72.1`).
    public func written(_ code: String) -> String {
        guard self == .icd10CM || self == .icd10, code.count > 3 else { return code }
        return "\(code.prefix(3)).\(code.dropFirst(3))"
    }

    /// The known system a mistyped URI most likely means (`https://snomed.info/sct/`, an OID), if any.
    public static func likelyMeant(by system: String) -> TriggerCodeSystem? {
        let oids: [String: TriggerCodeSystem] = [
            "urn:oid:2.16.840.1.113883.6.90": .icd10CM, "urn:oid:2.16.840.1.113883.6.3": .icd10,
            "urn:oid:2.16.840.1.113883.6.96": .snomedCT, "urn:oid:2.16.840.1.113883.6.12": .cpt,
            "urn:oid:2.16.840.1.113883.6.285": .hcpcs,
        ]
        if let known = oids[system] { return known }
        func simplified(_ uri: String) -> String {
            var text = uri.lowercased()
            for scheme in ["https://", "http://"] where text.hasPrefix(scheme) { text.removeFirst(scheme.count) }
            while text.hasSuffix("/") { text.removeLast() }
            return text
        }
        return Self.allCases.first { simplified($0.rawValue) == simplified(system) }
    }
}
