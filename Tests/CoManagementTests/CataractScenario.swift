import CoManagement
import FHIRCore

/// A cataract co-management: surgeon at the hospital refers post-operative care to an optometrist.
enum CataractScenario {
    static let mrn = "http://hospital.example.org/fhir/sid/mrn|MRN-1001"
    static let surgeonNPI = "http://hl7.org/fhir/sid/us-npi|1111111111"
    static let optometristNPI = "http://hl7.org/fhir/sid/us-npi|2222222222"
    static let referralKey = "http://hospital.example.org/fhir/sid/referral|REF-77"

    static let patient = FHIRFixture.resource(
        #"""
        { "resourceType": "Patient", "id": "p1",
          "identifier": [{ "system": "http://hospital.example.org/fhir/sid/mrn", "value": "MRN-1001" }],
          "name": [{ "family": "Okafor", "given": ["Ada"] }], "birthDate": "1951-04-12" }
        """#
    )

    static let surgeon = FHIRFixture.resource(
        #"""
        { "resourceType": "Practitioner", "id": "surg",
          "identifier": [{ "system": "http://hl7.org/fhir/sid/us-npi", "value": "1111111111" }],
          "name": [{ "family": "Lindqvist", "given": ["Maja"] }] }
        """#
    )

    static let optometrist = FHIRFixture.resource(
        #"""
        { "resourceType": "Practitioner", "id": "opt",
          "identifier": [{ "system": "http://hl7.org/fhir/sid/us-npi", "value": "2222222222" }],
          "name": [{ "family": "Reyes", "given": ["Tomas"] }] }
        """#
    )

    static func referral(
        status: String = "active",
        lastUpdated: String? = nil,
        subject: String = #"{ "reference": "Patient/p1" }"#
    ) -> Element {
        let meta = lastUpdated.map { #""meta": { "lastUpdated": "\#($0)" },"# } ?? ""
        return FHIRFixture.resource(
            #"""
            { "resourceType": "ServiceRequest", "id": "sr-1", \#(meta)
              "identifier": [{ "system": "http://hospital.example.org/fhir/sid/referral", "value": "REF-77" }],
              "status": "\#(status)", "intent": "order", "priority": "routine",
              "code": { "coding": [{ "system": "http://www.ama-assn.org/go/cpt", "code": "66984" }] },
              "subject": \#(subject),
              "authoredOn": "2026-03-01T09:00:00Z",
              "requester": { "reference": "Practitioner/surg" },
              "performer": [{ "reference": "Practitioner/opt" }] }
            """#
        )
    }

    static func task(
        id: String,
        businessStatus: (system: String, code: String)?,
        status: String = "requested",
        at: String
    ) -> Element {
        let business =
            businessStatus.map {
                #""businessStatus": { "coding": [{ "system": "\#($0.system)", "code": "\#($0.code)" }] },"#
            } ?? ""
        return FHIRFixture.resource(
            #"""
            { "resourceType": "Task", "id": "\#(id)", "status": "\#(status)", \#(business)
              "intent": "order", "focus": { "reference": "ServiceRequest/sr-1" }, "for": { "reference": "Patient/p1" },
              "lastModified": "\#(at)", "owner": { "reference": "Practitioner/opt" } }
            """#
        )
    }

    static let careTeam = FHIRFixture.resource(
        #"""
        { "resourceType": "CareTeam", "id": "ct-1", "status": "active",
          "category": [{ "coding": [{ "system": "http://snomed.info/sct", "code": "54885007" }] }],
          "subject": { "reference": "Patient/p1" },
          "participant": [
            { "role": [{ "coding": [{ "system": "http://snomed.info/sct", "code": "304292004" }] }],
              "member": { "reference": "Practitioner/surg" },
              "period": { "start": "2026-03-01", "end": "2026-03-10" } },
            { "role": [{ "coding": [{ "system": "http://snomed.info/sct", "code": "28229004" }] }],
              "member": { "reference": "Practitioner/opt" },
              "period": { "start": "2026-03-10" } } ] }
        """#
    )

    static func carePlan(activityStatus: String = "scheduled") -> Element {
        FHIRFixture.resource(
            #"""
            { "resourceType": "CarePlan", "id": "cp-1", "status": "active", "intent": "plan",
              "basedOn": [{ "reference": "ServiceRequest/sr-1" }], "subject": { "reference": "Patient/p1" },
              "activity": [{ "detail": {
                "code": { "coding": [{ "system": "http://snomed.info/sct", "code": "308273005", "display": "Follow-up visit" }] },
                "status": "\#(activityStatus)",
                "scheduledPeriod": { "start": "2026-03-15", "end": "2026-03-20T17:00:00Z" },
                "performer": [{ "reference": "Practitioner/opt" }] } }] }
            """#
        )
    }

    static let consentDenyingOptometrist = FHIRFixture.resource(
        #"""
        { "resourceType": "Consent", "id": "cons-1", "status": "active",
          "scope": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "patient-privacy" }] },
          "category": [{ "coding": [{ "system": "http://loinc.org", "code": "59284-0" }] }],
          "patient": { "reference": "Patient/p1" },
          "provision": { "type": "permit", "period": { "start": "2026-03-01" },
            "provision": [{ "type": "deny", "actor": [{
              "role": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "code": "IRCP" }] },
              "reference": { "reference": "Practitioner/opt" } }] }] } }
        """#
    )

    static let postOpReport = FHIRFixture.resource(
        #"""
        { "resourceType": "Communication", "id": "com-1", "status": "completed",
          "category": [{ "coding": [{ "system": "http://loinc.org", "code": "11504-8" }] }],
          "subject": { "reference": "Patient/p1" }, "sent": "2026-04-02T10:00:00Z",
          "sender": { "reference": "Practitioner/opt" } }
        """#
    )

    /// Patient and practitioners, the usual first message.
    static let parties = [patient, surgeon, optometrist]
}
