import FHIRCore

extension MappingSet {
    /// Turns a ConceptMap file's JSON into an element tree by member names alone.
    ///
    /// Interim: the FHIR JSON codec (`FHIRCodec`) and the validator are landing from other branches;
    /// once merged, concept-map files are read with `FHIRCodec.read` and checked with
    /// `Validator.validate`, and this goes. Until then ``ConceptMapTable/add(conceptMap:)`` checks the
    /// parts translation depends on (status, group source and target, codes, equivalence).
    static func conceptMapElement(_ root: JSONValue) -> Element {
        let type = root["resourceType"]?.stringValue ?? "(no resourceType)"
        var element = Self.element(named: type, from: root)
        element.type = type
        return element
    }

    private static func element(named name: String, from value: JSONValue) -> Element {
        var node = Element(name: name, type: "", location: value.location)
        switch value.kind {
        case .null: break
        case .bool(let flag): node.value = flag ? "true" : "false"
        case .number(let text), .string(let text): node.value = text
        case .array: break
        case .object(let members):
            for member in members where member.key != "resourceType" {
                for item in member.value.arrayValue ?? [member.value] {
                    node.children.append(Self.element(named: member.key, from: item))
                }
            }
        }
        return node
    }
}
