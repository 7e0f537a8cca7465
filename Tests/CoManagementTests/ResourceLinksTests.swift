import FHIRCore
import Testing

@testable import CoManagement

/// Which held resources a message can affect (``ResourceLinks``), the walk every ingest starts with.
@Suite struct ResourceLinksTests {
    static func held(_ key: String, _ json: String) -> HeldResource {
        HeldResource(key: key, fullUrl: nil, sender: "s", resource: FHIRFixture.resource(json), arrival: 0)
    }

    static func referral(_ id: String, patient: String, performer: String? = nil) -> HeldResource {
        let performer = performer.map { #","performer":[{"reference":"\#($0)"}]"# } ?? ""
        return Self.held(
            "ServiceRequest/\(id)",
            #"""
            {"resourceType":"ServiceRequest","id":"\#(id)","status":"active","intent":"order",
             "subject":{"reference":"\#(patient)"}\#(performer)}
            """#
        )
    }

    /// One patient's resources all refer to the patient: the walk reaches every one of them from any.
    @Test func aPatientsResourcesAreAllRelatedThroughThePatient() {
        var links = ResourceLinks()
        links.store(Self.held("Patient/p", #"{"resourceType":"Patient","id":"p"}"#))
        for index in 0..<500 { links.store(Self.referral("sr-\(index)", patient: "Patient/p")) }
        links.store(Self.referral("other", patient: "Patient/q"))

        let related = links.related(to: ["ServiceRequest/sr-7"])
        #expect(related.count == 501)
        #expect(related.contains("Patient/p"))
        #expect(related.contains("ServiceRequest/sr-499"))
        #expect(!related.contains("ServiceRequest/other"))
    }

    /// A practitioner does not tie its patients together, but a change to it reaches all who refer to it.
    @Test func sharedResourcesLinkNothingButReachTheirReferrers() {
        var links = ResourceLinks()
        links.store(Self.held("Practitioner/dr", #"{"resourceType":"Practitioner","id":"dr"}"#))
        links.store(Self.referral("a", patient: "Patient/p", performer: "Practitioner/dr"))
        links.store(Self.referral("b", patient: "Patient/q", performer: "Practitioner/dr"))

        #expect(links.related(to: ["ServiceRequest/a"]) == ["ServiceRequest/a"])
        #expect(links.related(to: ["Practitioner/dr"]) == ["ServiceRequest/a", "ServiceRequest/b"])
    }

    /// Two resources that share a business identifier are the same thing seen twice: linked.
    @Test func aSharedIdentifierLinks() {
        var links = ResourceLinks()
        let identifier = #""identifier":[{"system":"urn:mrn","value":"42"}]"#
        links.store(Self.held("Patient/p1", #"{"resourceType":"Patient","id":"p1",\#(identifier)}"#))
        links.store(Self.held("Patient/p2", #"{"resourceType":"Patient","id":"p2",\#(identifier)}"#))
        links.store(Self.referral("a", patient: "Patient/p2"))

        #expect(links.related(to: ["Patient/p1"]) == ["Patient/p1", "Patient/p2", "ServiceRequest/a"])
    }
}
