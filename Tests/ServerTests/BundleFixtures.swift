import FHIRCore
import Foundation
import NIOCore

/// Bundles for the `POST /fhir` tests, written as JSON and converted with the gateway's own codecs.
enum BundleFixtures {
    static let patientURL = "urn:uuid:0c3f4a52-1111-4d7e-9a0b-5c6d7e8f9a01"

    static let patient =
        #"{"resourceType":"Patient","identifier":[{"system":"http://hospital.example/mrn","value":"777"}],"gender":"female"}"#

    static func serviceRequest(subject: String, value: String = "SR-77") -> String {
        #"{"resourceType":"ServiceRequest","identifier":[{"system":"urn:oid:1.2.3","value":"\#(value)"}],"status":"active","intent":"order","subject":{"reference":"\#(subject)"}}"#
    }

    /// A transaction: a conditional Patient create and a ServiceRequest that references it by urn:uuid.
    static let transaction = """
        {"resourceType":"Bundle","type":"transaction","entry":[
          {"fullUrl":"\(patientURL)","resource":\(patient),
           "request":{"method":"POST","url":"Patient","ifNoneExist":"identifier=http://hospital.example/mrn|777"}},
          {"fullUrl":"urn:uuid:0c3f4a52-2222-4d7e-9a0b-5c6d7e8f9a02","resource":\(serviceRequest(subject: patientURL)),
           "request":{"method":"POST","url":"ServiceRequest"}}
        ]}
        """

    /// A transaction whose second entry fails (If-Match names a version that does not exist).
    static let failingTransaction = """
        {"resourceType":"Bundle","type":"transaction","entry":[
          {"resource":{"resourceType":"Patient","id":"t1","gender":"male"},"request":{"method":"PUT","url":"Patient/t1"}},
          {"resource":{"resourceType":"Patient","id":"t2","gender":"male"},
           "request":{"method":"PUT","url":"Patient/t2","ifMatch":"W/\\"9\\""}}
        ]}
        """

    /// A batch with a good entry, a failing entry and an unsupported one.
    static let batch = """
        {"resourceType":"Bundle","type":"batch","entry":[
          {"resource":{"resourceType":"Patient","id":"b1","gender":"male"},"request":{"method":"PUT","url":"Patient/b1"}},
          {"resource":{"resourceType":"Patient","id":"b2","gender":"male"},
           "request":{"method":"PUT","url":"Patient/b2","ifMatch":"W/\\"3\\""}},
          {"request":{"method":"DELETE","url":"Patient/b1"}}
        ]}
        """

    /// A message: the focus is the ServiceRequest, which references the Patient entry.
    static let message = """
        {"resourceType":"Bundle","id":"msg-1","type":"message","timestamp":"2026-03-02T09:00:00Z","entry":[
          {"fullUrl":"urn:uuid:0c3f4a52-3333-4d7e-9a0b-5c6d7e8f9a03","resource":{"resourceType":"MessageHeader","id":"mh-1",
            "eventCoding":{"system":"http://example.org/events","code":"referral"},
            "source":{"endpoint":"http://hospital.example/fhir"},
            "focus":[{"reference":"urn:uuid:0c3f4a52-2222-4d7e-9a0b-5c6d7e8f9a02"}]}},
          {"fullUrl":"urn:uuid:0c3f4a52-2222-4d7e-9a0b-5c6d7e8f9a02","resource":\(serviceRequest(subject: patientURL, value: "SR-M1"))},
          {"fullUrl":"\(patientURL)","resource":\(patient)}
        ]}
        """

    /// `json` in the requested wire format.
    static func body(_ json: String, _ format: WireFormat) throws -> ByteBuffer {
        switch format {
        case .json: return ByteBuffer(string: json)
        case .xml: return ByteBuffer(bytes: FHIRXML.write(try FHIRJSON.read(Array(json.utf8)).root))
        }
    }

    /// The sample files of one kind under `Samples/`, read from the package checkout.
    static func samples(where include: (Element) -> Bool) throws -> [(name: String, bytes: [UInt8])] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Samples")
        var found: [(String, [UInt8])] = []
        for scenario in try FileManager.default.contentsOfDirectory(atPath: root.path).sorted() {
            let folder = root.appendingPathComponent(scenario)
            guard let files = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { continue }
            for file in files.sorted()
            where file.first?.isNumber == true && file.hasSuffix(".json") && !file.hasSuffix(".episode.json") {
                let bytes = Array(try Data(contentsOf: folder.appendingPathComponent(file)))
                if include(try FHIRJSON.read(bytes).root) { found.append(("\(scenario)/\(file)", bytes)) }
            }
        }
        return found
    }
}
