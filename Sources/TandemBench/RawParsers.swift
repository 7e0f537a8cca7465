internal import CLibXML2
import Foundation

/// The floors the codecs are compared with: a plain parse of the same bytes with no FHIR knowledge.
enum RawParsers {
    /// Foundation's `JSONSerialization`, building its generic dictionaries and arrays.
    static func json(_ bytes: [UInt8]) -> Bool {
        (try? JSONSerialization.jsonObject(with: Data(bytes))) != nil
    }

    /// libxml2's `xmlReadMemory` into a DOM, then freed: what a libxml2-based reader costs at the least.
    static func xml(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { buffer -> Bool in
            guard let base = buffer.baseAddress else { return false }
            let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)
            let document = base.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                xmlReadMemory($0, Int32(buffer.count), nil, nil, options)
            }
            guard let document else { return false }
            xmlFreeDoc(document)
            return true
        }
    }
}
