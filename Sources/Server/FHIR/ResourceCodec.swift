import FHIRCore
import Foundation
import HTTPTypes
import Store

/// Moves resources between the wire, the element tree and the store's form.
enum ResourceCodec {
    /// Reads and validates a request body.
    ///
    /// - Throws: ``FHIRError`` 400 when the body cannot be read at all (syntax, limits, DOCTYPE), 422
    ///   when it reads but has validation errors. Warnings do not block.
    static func read(_ bytes: [UInt8], as format: WireFormat, limits: ReadLimits) throws(FHIRError) -> Element {
        let parsed: ParsedResource
        do {
            parsed =
                switch format {
                case .json: try FHIRJSON.read(bytes, limits: limits)
                case .xml: try FHIRXML.read(bytes, limits: limits)
                }
        } catch {
            let tooLarge = error.issues.contains { $0.code == .tooCostly }
            throw FHIRError(tooLarge ? .contentTooLarge : .badRequest, outcome: error)
        }
        let outcome = Validator.validate(parsed)
        if outcome.hasErrors {
            throw FHIRError(.unprocessableContent, outcome: outcome)
        }
        return parsed.root
    }

    static func write(_ resource: Element, as format: WireFormat) -> [UInt8] {
        switch format {
        case .json: FHIRJSON.write(resource)
        case .xml: FHIRXML.write(resource)
        }
    }

    /// The store's form of a resource: JSON without `id`, `meta.versionId` and `meta.lastUpdated`.
    static func storedContent(of resource: Element) -> [UInt8] {
        var resource = resource
        resource.children.removeAll { $0.name == "id" }
        if let index = resource.children.firstIndex(where: { $0.name == "meta" }) {
            resource.children[index].children.removeAll { $0.name == "versionId" || $0.name == "lastUpdated" }
            if resource.children[index].children.isEmpty { resource.children.remove(at: index) }
        }
        return FHIRJSON.write(resource)
    }

    /// A stored version as a resource tree, with `id`, `meta.versionId` and `meta.lastUpdated` put back.
    static func element(of stored: StoredResource) throws(FHIRError) -> Element {
        var resource: Element
        do {
            resource = try FHIRJSON.read(stored.content).root
        } catch {
            throw FHIRError(.internalServerError, .exception, "stored \(stored.versionedReference) cannot be read back")
        }
        resource.children.removeAll { $0.name == "id" }
        resource.children.insert(Element(name: "id", type: "id", value: stored.id), at: 0)
        let versionFields = [
            Element(name: "versionId", type: "id", value: String(stored.version)),
            Element(name: "lastUpdated", type: "instant", value: FHIRTime.instant(stored.lastUpdated)),
        ]
        if let index = resource.children.firstIndex(where: { $0.name == "meta" }) {
            resource.children[index].children.insert(contentsOf: versionFields, at: 0)
        } else {
            resource.children.insert(Element(name: "meta", type: "Meta", children: versionFields), at: 1)
        }
        return resource
    }

    /// Identifier tokens (`system|value`) of a resource's top-level `identifier` elements.
    static func identifierTokens(of resource: Element) -> [String] {
        resource.children(named: "identifier").compactMap { identifier in
            guard let value = identifier.string("value") else { return nil }
            return "\(identifier.string("system") ?? "")|\(value)"
        }
    }

    /// Types ingested idempotently by business identifier (the issue's "same ServiceRequest, CarePlan or
    /// Task posted again").
    static let identifiedTypes: Set<String> = ["ServiceRequest", "CarePlan", "Task"]

    /// The business identifier key: the first identifier with a system, else the first, for the
    /// ``identifiedTypes``; nil for other types.
    static func identifierKey(of resource: Element) -> String? {
        guard self.identifiedTypes.contains(resource.type) else { return nil }
        let identifiers = resource.children(named: "identifier").filter { $0.string("value") != nil }
        guard let chosen = identifiers.first(where: { $0.string("system") != nil }) ?? identifiers.first else {
            return nil
        }
        return "\(chosen.string("system") ?? "")|\(chosen.string("value") ?? "")"
    }
}
