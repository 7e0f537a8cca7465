import Foundation

/// A referral series of a sender that names everything by its own ids, for ``SenderIdentityTests``: a
/// transaction with the patient, two practitioners and the referral (as PUT entries, or as POST entries
/// carrying the ids), then a Task accepting the referral by `ServiceRequest/sr-7`, then the referral re-sent
/// as completed by `PUT ServiceRequest/sr-7`.
enum OwnIDSeries {
    static let mrn = "http://hospital.example.org/fhir/sid/mrn"

    /// Message 1: a transaction Bundle whose entries are PUTs (`put == true`) or POSTs with the ids.
    static func referral(put: Bool, patient: String = "MRN-OWN-7") -> Data {
        let resources: [[String: Any]] = [
            [
                "resourceType": "Patient", "id": "pt-7",
                "identifier": [["system": Self.mrn, "value": patient]], "name": [["family": "Ortiz"]],
            ],
            Self.practitioner("dr-a", "1111111111", "Ana"),
            Self.practitioner("dr-b", "2222222222", "Bo"),
            Self.serviceRequest(status: "active"),
        ]
        let entries = resources.map { resource -> [String: Any] in
            let type = resource["resourceType"] as! String
            let id = resource["id"] as! String
            return [
                "fullUrl": "urn:uuid:\(UUID().uuidString.lowercased())",
                "resource": resource,
                "request": put ? ["method": "PUT", "url": "\(type)/\(id)"] : ["method": "POST", "url": type],
            ]
        }
        return Self.json(["resourceType": "Bundle", "type": "transaction", "entry": entries])
    }

    /// Message 2: the performer's Task accepting the referral, named by the sender's own id.
    static let acceptance = Self.json([
        "resourceType": "Task", "id": "t-7", "status": "accepted", "intent": "order",
        "focus": ["reference": "ServiceRequest/sr-7"], "for": ["reference": "Patient/pt-7"],
        "owner": ["reference": "Practitioner/dr-b"], "requester": ["reference": "Practitioner/dr-a"],
        "authoredOn": "2026-03-02T10:00:00-05:00", "lastModified": "2026-03-02T11:00:00-05:00",
    ])

    /// Message 3: the referral re-sent as completed.
    static var completion: Data { Self.json(Self.serviceRequest(status: "completed")) }

    static func serviceRequest(status: String) -> [String: Any] {
        [
            "resourceType": "ServiceRequest", "id": "sr-7", "status": status, "intent": "order",
            "identifier": [["system": "urn:oid:2.16.840.1.113883.3.999.7", "value": "ORD-7"]],
            "code": [
                "coding": [
                    ["system": "http://www.ama-assn.org/go/cpt", "code": "66984", "display": "Cataract surgery"]
                ]
            ],
            "subject": ["reference": "Patient/pt-7"], "requester": ["reference": "Practitioner/dr-a"],
            "performer": [["reference": "Practitioner/dr-b"]], "authoredOn": "2026-03-01T09:00:00-05:00",
        ]
    }

    static func practitioner(_ id: String, _ npi: String, _ given: String) -> [String: Any] {
        [
            "resourceType": "Practitioner", "id": id,
            "identifier": [["system": "http://hl7.org/fhir/sid/us-npi", "value": npi]],
            "name": [["family": "Doe", "given": [given]]],
        ]
    }

    static func patient(_ id: String, gender: String) -> Data {
        Self.json([
            "resourceType": "Patient", "id": id, "gender": gender,
            "identifier": [["system": "http://example.org/mrn", "value": "\(id)-\(gender)"]],
        ])
    }

    static func json(_ object: [String: Any]) -> Data {
        try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }
}
