import CoManagement
import FHIRCore

/// Builds element trees from FHIR JSON literals for tests, typing choice elements through the R4
/// metadata (`valueReference` → `value` of type `Reference`).
///
/// A stand-in for `FHIRJSON.read` while the JSON codec lands on another branch; once merged, tests
/// should read through the codec instead. No `_x` primitive extensions: tests do not need them.
enum FHIRFixture {
    static func resource(_ json: String) -> Element {
        do {
            return self.resource(try JSONValueParser.parse(Array(json.utf8)))
        } catch {
            preconditionFailure("fixture is not JSON: \(error.message) at \(error.location)")
        }
    }

    private static func resource(_ value: JSONValue) -> Element {
        guard let type = value["resourceType"]?.stringValue else { preconditionFailure("fixture without resourceType") }
        var element = Element(name: type, type: type)
        element.children = self.children(of: value, type: type)
        return element
    }

    private static func children(of value: JSONValue, type: String) -> [Element] {
        let definition = R4Metadata.shared.type(named: type)
        var children: [Element] = []
        for member in value.objectMembers ?? [] where member.key != "resourceType" && !member.key.hasPrefix("_") {
            guard let (element, occurrenceType) = definition?.element(wireName: member.key) else {
                preconditionFailure("fixture: \(type) has no element '\(member.key)'")
            }
            for item in member.value.arrayValue ?? [member.value] {
                children.append(self.node(element.name, occurrenceType, item))
            }
        }
        return children
    }

    private static func node(_ name: String, _ type: String, _ value: JSONValue) -> Element {
        switch value.kind {
        case .string(let text), .number(let text): return Element(name: name, type: type, value: text)
        case .bool(let flag): return Element(name: name, type: type, value: flag ? "true" : "false")
        case .object:
            if type == "Resource" {
                var inner = self.resource(value)
                inner.name = name
                return inner
            }
            return Element(name: name, type: type, children: self.children(of: value, type: type))
        case .null, .array: preconditionFailure("fixture: unexpected JSON for \(name)")
        }
    }
}
