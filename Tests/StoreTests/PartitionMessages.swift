import FHIRCore
import Foundation
import Store

/// Small referral messages for the partition tests: a patient and a cataract referral of theirs, each a
/// store write as the server hands it in (gateway ids, references rewritten).
enum PartitionMessages {
    static let mrn = "http://hospital.example.org/fhir/sid/mrn"

    /// The patient `patient` and referral `referral` of theirs, with `extra` fields in the referral;
    /// without `withPatient`, the referral alone, naming the patient by reference.
    static func referral(
        patient: String,
        referral: String,
        extra: String = "",
        withPatient: Bool = true
    ) -> IngestMessage {
        let patientJSON = #"""
            {"resourceType":"Patient","id":"\#(patient)","identifier":[{"system":"\#(Self.mrn)","value":"MRN-\#(patient)"}]}
            """#
        let referralJSON = #"""
            {"resourceType":"ServiceRequest","id":"\#(referral)","status":"active","intent":"order",
             "identifier":[{"system":"urn:oid:1.2.3","value":"\#(referral)"}],
             "code":{"coding":[{"system":"http://www.ama-assn.org/go/cpt","code":"66984"}]},
             "subject":{"reference":"Patient/\#(patient)"},"authoredOn":"2026-03-01"\#(extra)}
            """#
        return Self.message((withPatient ? [Self.write(patientJSON)] : []) + [Self.write(referralJSON)])
    }

    /// One resource, written under its own id.
    static func write(_ json: String) -> ResourceWrite {
        let element = try! FHIRJSON.read(Array(json.utf8)).root
        return ResourceWrite(
            type: element.type,
            mode: .update(id: element.resourceID ?? "", ifMatch: nil),
            content: Array(json.utf8),
            resource: element
        )
    }

    static func message(_ writes: [ResourceWrite], atomic: Bool = true) -> IngestMessage {
        var message = Fixture.message(writes, atomic: atomic, interaction: "transaction")
        message.received.sender = "hospital"
        return message
    }
}
