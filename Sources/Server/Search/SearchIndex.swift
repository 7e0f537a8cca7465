import FHIRCore
import Foundation
public import Store

/// The index tokens of a resource (``Store/ResourceWrite/searchTokens``), written beside its identifier
/// tokens in the store's `resource_identifier` and matched by ``SearchRequest``: `param value`, the
/// parameter's name, a space and the value. A space cannot occur in an identifier's system (a FHIR `uri`
/// has none), so no search token ever equals an identifier token (`system|value`).
///
/// | parameter | tokens |
/// | --- | --- |
/// | `identifier` | `identifier <value>` for the value alone (the `system\|value` tokens exist already) |
/// | `status`, `intent` | `status <code>` |
/// | `category` | `category <system>\|<code>` and `category <code>` per coding |
/// | `subject`, `patient` | `subject <Type/id>` of `subject`, `Task.for`, `Consent.patient` |
/// | `based-on` | `based-on <Type/id>` per reference |
/// | `name` | `name <word>` per word of the names, lower case, without accents |
public struct SearchIndex: SearchIndexing {
    /// Bumped whenever the tokens change: stores indexed by an older version are indexed again at start.
    public let version = 1

    public init() {}

    public func tokens(type: String, content: [UInt8]) -> [String] {
        guard let resource = try? FHIRJSON.read(content).root else { return [] }
        return ResourceCodec.identifierTokens(of: resource) + Self.tokens(of: resource)
    }

    /// The search tokens of a resource (not its identifier tokens).
    static func tokens(of resource: Element) -> [String] {
        let type = resource.type
        guard SearchParameter.searchableTypes.contains(type) else { return [] }
        var tokens: [String] = []
        for identifier in resource.children(named: "identifier") {
            if let value = identifier.string("value") { tokens.append("identifier \(value)") }
        }
        let names = Set(SearchParameter.parameters(of: type).map(\.name))
        if names.contains("status"), let status = resource.string("status") { tokens.append("status \(status)") }
        if names.contains("intent"), let intent = resource.string("intent") { tokens.append("intent \(intent)") }
        if names.contains("category") {
            for coding in resource.children(named: "category").flatMap({ $0.children(named: "coding") }) {
                guard let code = coding.string("code") else { continue }
                tokens.append("category \(coding.string("system") ?? "")|\(code)")
                tokens.append("category \(code)")
            }
        }
        if names.contains("patient") || names.contains("subject"),
            let reference = resource.child(SearchParameter.subjectElement(of: type)).flatMap(Self.relative)
        {
            tokens.append("subject \(reference)")
        }
        if names.contains("based-on") {
            for reference in resource.children(named: "basedOn").compactMap(Self.relative) {
                tokens.append("based-on \(reference)")
            }
        }
        if names.contains("name") {
            for word in Self.nameWords(of: resource) { tokens.append("name \(word)") }
        }
        return Array(Set(tokens)).sorted()
    }

    /// `Type/id` of a Reference that names a resource on this server (stored content names them so).
    static func relative(_ reference: Element) -> String? {
        guard let text = reference.string("reference"), case .restful(_, let name, _) = ReferenceText(text) else {
            return nil
        }
        return name.description
    }

    /// The words of a Patient's or Practitioner's names (text, family, given, prefix), or of an
    /// Organization's name and aliases.
    static func nameWords(of resource: Element) -> Set<String> {
        var texts: [String] = []
        if resource.type == "Organization" {
            texts = ([resource.string("name")] + resource.children(named: "alias").map(\.value)).compactMap { $0 }
        } else {
            for name in resource.children(named: "name") {
                texts += [name.string("text"), name.string("family")].compactMap { $0 }
                texts += (name.children(named: "given") + name.children(named: "prefix")).compactMap(\.value)
            }
        }
        return Set(texts.flatMap(Self.words))
    }

    /// A text as the words a name search compares: lower case, accents dropped, split at anything that is
    /// not a letter or a digit.
    static func words(_ text: String) -> [String] {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
            .split { !$0.isLetter && !$0.isNumber }
            .map(String.init)
    }
}
