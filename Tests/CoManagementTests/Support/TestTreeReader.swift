import FHIRCore
import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// A stand-in reader for the FHIRPath suite's inputs until `FHIRCodec` lands on main: builds the
/// element tree from FHIR XML or JSON with the R4 metadata. Test code only; lossy where the suite does
/// not care (narrative markup, JSON decimal spelling).
enum TestTreeReader {
    static func read(_ data: Data, fileName: String) throws -> Element {
        fileName.hasSuffix(".json") ? try JSONTreeReader.read(data) : try XMLTreeReader.read(data)
    }

    /// The definition and occurrence type of a child element of `parentType` written as `wireName`.
    static func child(of parentType: String, wireName: String) -> (ElementDefinition, String)? {
        guard let hit = R4Metadata.shared.type(named: parentType)?.element(wireName: wireName) else { return nil }
        return (hit.definition, hit.type)
    }
}

private final class XMLTreeReader: NSObject, XMLParserDelegate {
    /// Open elements; a `Resource`-typed wrapper (`contained`) waits for its resource element.
    private var stack: [Element] = []
    private var root: Element?
    private var skipDepth = 0
    /// Per open XML element: whether it pushed a node (a resource inside `contained` does not).
    private var opened: [Bool] = []

    static func read(_ data: Data) throws -> Element {
        let reader = XMLTreeReader()
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = true
        parser.delegate = reader
        guard parser.parse(), let root = reader.root else {
            throw CocoaError(.fileReadCorruptFile)
        }
        return root
    }

    func parser(
        _ parser: XMLParser,
        didStartElement name: String,
        namespaceURI: String?,
        qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        if self.skipDepth > 0 || namespaceURI == "http://www.w3.org/1999/xhtml" {
            self.skipDepth += 1
            return
        }
        var element: Element
        if let parent = self.stack.last {
            if parent.value == "\u{0}resource" {
                // The resource inside `contained` / `resource`: the wrapper becomes the resource node.
                var wrapper = self.stack.removeLast()
                wrapper.type = name
                wrapper.value = nil
                self.stack.append(wrapper)
                self.addAttributes(attributes, to: &self.stack[self.stack.count - 1], isResource: true)
                self.opened.append(false)
                return
            }
            guard let (_, type) = TestTreeReader.child(of: parent.type, wireName: name) else {
                self.skipDepth = 1
                return
            }
            let definition = R4Metadata.shared.type(named: parent.type)?.element(wireName: name)?.definition
            element = Element(name: definition?.name ?? name, type: type)
            if type == "Resource" { element.value = "\u{0}resource" }
        } else {
            element = Element(name: name, type: name)
        }
        if element.value == nil { self.addAttributes(attributes, to: &element, isResource: self.stack.isEmpty) }
        self.stack.append(element)
        self.opened.append(true)
    }

    private func addAttributes(_ attributes: [String: String], to element: inout Element, isResource: Bool) {
        if !isResource, let id = attributes["id"] { element.children.append(Element(name: "id", type: "string", value: id)) }
        if let url = attributes["url"] { element.children.append(Element(name: "url", type: "uri", value: url)) }
        if let value = attributes["value"] { element.value = value }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if self.skipDepth > 0 {
            self.skipDepth -= 1
            if self.skipDepth == 0, namespaceURI == "http://www.w3.org/1999/xhtml", var div = self.stack.last,
                div.type == "Narrative"
            {
                div.children.append(Element(name: "div", type: "xhtml", value: "<div/>"))
                self.stack[self.stack.count - 1] = div
            }
            return
        }
        guard self.opened.removeLast() else { return }
        let element = self.stack.removeLast()
        if self.stack.isEmpty {
            self.root = element
        } else {
            self.stack[self.stack.count - 1].children.append(element)
        }
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
                children.append((definition.order, self.node(definition.name, childType, NSNull(), extra as? [String: Any])))
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
