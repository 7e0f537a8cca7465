import FHIRCore
import Foundation

/// Reads the FHIRPath suite's inputs: XML with ``FHIRXML``; JSON with a stand-in reader until
/// `FHIRJSON`/`FHIRCodec` land on main (test code only; loses JSON decimal spelling, which the suite
/// does not test).
enum TestTreeReader {
    static func read(_ data: Data, fileName: String) throws -> Element {
        if fileName.hasSuffix(".json") { return try JSONTreeReader.read(data) }
        return try FHIRXML.read(Array(data)).root
    }

    /// The definition and occurrence type of a child element of `parentType` written as `wireName`.
    static func child(of parentType: String, wireName: String) -> (ElementDefinition, String)? {
        guard let hit = R4Metadata.shared.type(named: parentType)?.element(wireName: wireName) else { return nil }
        return (hit.definition, hit.type)
    }
}

private enum JSONTreeReader {
    static func read(_ data: Data) throws -> Element {
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let type = object["resourceType"] as? String
        else { throw CocoaError(.fileReadCorruptFile) }
        return self.element(name: type, type: type, object: object)
    }

    private static func element(name: String, type: String, object: [String: Any]) -> Element {
        var element = Element(name: name, type: type)
        var children: [(Int, Element)] = []
        for (key, raw) in object where key != "resourceType" && !key.hasPrefix("_") {
            guard let (definition, childType) = TestTreeReader.child(of: type, wireName: key) else { continue }
            let values = raw as? [Any] ?? [raw]
            let extras = object["_" + key].map { $0 as? [Any] ?? [$0] } ?? []
            for (index, value) in values.enumerated() {
                let extra = index < extras.count ? extras[index] as? [String: Any] : nil
                children.append((definition.order, self.node(definition.name, childType, value, extra)))
            }
        }
        for (key, raw) in object where key.hasPrefix("_") && object[String(key.dropFirst())] == nil {
            guard let (definition, childType) = TestTreeReader.child(of: type, wireName: String(key.dropFirst())) else {
                continue
            }
            for extra in raw as? [Any] ?? [raw] {
                children.append(
                    (definition.order, self.node(definition.name, childType, NSNull(), extra as? [String: Any]))
                )
            }
        }
        element.children = children.enumerated().sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }
            .map(\.element.1)
        return element
    }

    private static func node(_ name: String, _ type: String, _ value: Any, _ extra: [String: Any]?) -> Element {
        if let object = value as? [String: Any] {
            if type == "Resource", let resourceType = object["resourceType"] as? String {
                var resource = self.element(name: resourceType, type: resourceType, object: object)
                resource.name = name
                return resource
            }
            return self.element(name: name, type: type, object: object)
        }
        var element = extra.map { self.element(name: name, type: type, object: $0) } ?? Element(name: name, type: type)
        switch value {
        case let flag as Bool where type == "boolean": element.value = flag ? "true" : "false"
        case let number as NSNumber: element.value = number.stringValue
        case let text as String: element.value = text
        default: break
        }
        return element
    }
}
