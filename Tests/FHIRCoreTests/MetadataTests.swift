import Testing

@testable import FHIRCore

@Suite struct MetadataTests {
    let metadata = R4Metadata.shared

    @Test func everyResourceTypeIsKnown() {
        #expect(self.metadata.resourceTypes.count == 146)
        #expect(self.metadata.isResource("ServiceRequest"))
        #expect(!self.metadata.isResource("DomainResource"))
    }

    @Test func choiceElementsResolveByWireName() throws {
        let observation = try #require(self.metadata.type(named: "Observation"))
        let hit = try #require(observation.element(wireName: "valueQuantity"))
        #expect(hit.definition.name == "value")
        #expect(hit.type == "Quantity")
        #expect(hit.definition.isChoice)
    }

    @Test func requiredBindingsCarryTheirCodes() throws {
        let request = try #require(self.metadata.type(named: "ServiceRequest"))
        let status = try #require(request.element(named: "status"))
        #expect(status.min == 1 && status.max == 1)
        #expect(status.requiredValueSet == "RequestStatus")
        #expect(self.metadata.codes(ofValueSet: "RequestStatus")?.contains("active") == true)
    }

    @Test func primitivesKnowTheirJSONKind() {
        #expect(self.metadata.primitiveKind(of: "decimal") == .number)
        #expect(self.metadata.primitiveKind(of: "boolean") == .boolean)
        #expect(self.metadata.primitiveKind(of: "date") == .string)
    }
}
