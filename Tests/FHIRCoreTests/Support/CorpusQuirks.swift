import FHIRCore
import Foundation

/// Normalises the documented quirks of the shared example copy (see `../shared/fhir-r4/README.md`), so a
/// JSON/XML pair compares equal exactly when the content is the same.
enum CorpusQuirks {
    static let htestSystem = "http://terminology.hl7.org/CodeSystem/v3-ActReason"

    /// XML marks test data with `meta.security` HTEST where JSON uses `meta.tag`: move it to `tag`.
    static func normalise(_ element: Element) -> Element {
        var copy = element
        copy.children = element.children.map(self.normalise)
        if copy.name == "meta" || copy.type == "Meta" {
            for index in copy.children.indices where copy.children[index].name == "security" {
                let coding = copy.children[index]
                if coding.string("code") == "HTEST" && coding.string("system") == self.htestSystem {
                    copy.children[index].name = "tag"
                }
            }
            // Meta order: security precedes tag; a renamed label moves after the remaining security labels.
            let order = ["id", "extension", "versionId", "lastUpdated", "source", "profile", "security", "tag"]
            copy.children = copy.children.enumerated().sorted {
                let left = order.firstIndex(of: $0.element.name) ?? order.count
                let right = order.firstIndex(of: $1.element.name) ?? order.count
                return left != right ? left < right : $0.offset < $1.offset
            }.map(\.element)
        }
        if copy.type == "decimal", let value = copy.value, let number = Double(value) {
            // The JSON was re-serialised through binary floating point: `12500.00` became `12500.0` and
            // `66.899999999999991` became `66.89999999999999`. Compare decimals by that value.
            copy.value = "\(number)"
        }
        return copy
    }

    /// The same quirk on a generic JSON value (from JSONSerialization): under every `meta`, HTEST security
    /// labels become tags.
    static func normalise(json value: Any, key: String = "") -> Any {
        if var object = value as? [String: Any] {
            for (childKey, item) in object { object[childKey] = self.normalise(json: item, key: childKey) }
            if key == "meta", var security = object["security"] as? [[String: Any]] {
                let isLabel = { (coding: [String: Any]) in
                    coding["code"] as? String == "HTEST" && coding["system"] as? String == self.htestSystem
                }
                let labels = security.filter(isLabel)
                if !labels.isEmpty {
                    security.removeAll(where: isLabel)
                    object["security"] = security.isEmpty ? nil : security
                    object["tag"] = ((object["tag"] as? [[String: Any]]) ?? []) + labels
                }
            }
            return object
        }
        if let array = value as? [Any] { return array.map { self.normalise(json: $0, key: key) } }
        return value
    }
}
