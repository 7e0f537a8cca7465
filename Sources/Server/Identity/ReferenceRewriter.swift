import FHIRCore
import Store

/// Rewrites the references of the resources a sender writes so that each names a gateway id
/// (https://hl7.org/fhir/R4/bundle.html#references, http.html#trules, and the Identity article).
///
/// - A `urn:uuid:`/`urn:oid:` reference names an entry of the same Bundle by its `fullUrl`, and becomes
///   that entry's `Type/id`; naming no entry is an error.
/// - A `Type/id` reference (relative, versioned, or absolute on any base: an interface engine refers to
///   its own server) names an entry of the same Bundle when one has that `fullUrl` or was sent as that
///   `Type/id`; else it is resolved in the sender's namespace (``SenderNamespace/referenceTarget(_:)``).
///   A `_history` suffix is dropped: the sender's version numbers are not the gateway's.
/// - Contained (`#id`) references, canonicals and `Reference.identifier` are left as the sender wrote them.
struct ReferenceRewriter {
    /// Texts that name an entry of the message (`fullUrl`s, their `Type/id` tails, entries' own
    /// `Type/senderID`) → the entry's gateway `Type/id`.
    private(set) var targets: [String: String] = [:]
    let namespace: SenderNamespace

    init(namespace: SenderNamespace) {
        self.namespace = namespace
    }

    /// Records that the entry at `fullUrl` is stored as `reference` (`Type/id`).
    mutating func map(fullUrl: String, to reference: String) {
        self.targets[fullUrl] = reference
        // A relative reference `Type/id` inside the Bundle resolves against an absolute fullUrl's base.
        if case .restful(let base, let name, let version) = ReferenceText(fullUrl), base != nil, version == nil {
            self.targets[name.description] = reference
        }
    }

    /// Records that the entry the sender calls `name` is stored as `reference`.
    mutating func map(entry name: ResourceName, to reference: String) {
        self.targets[name.description] = reference
    }

    /// What one rewrite found.
    struct Findings {
        /// The gateway references that entries' references were rewritten to.
        var entryReferences: Set<String> = []
        /// `urn:uuid:` / `urn:oid:` references that name no entry of the Bundle.
        var unresolved: [String] = []
    }

    /// Rewrites every `Reference.reference` in `resource`, contained resources included.
    func rewrite(_ resource: inout Element, _ findings: inout Findings) {
        if resource.type == "Reference" {
            for index in resource.children.indices where resource.children[index].name == "reference" {
                guard let value = resource.children[index].value,
                    let rewritten = self.target(of: value, &findings)
                else { continue }
                resource.children[index].value = rewritten
            }
        }
        for index in resource.children.indices {
            self.rewrite(&resource.children[index], &findings)
        }
    }

    private func target(of text: String, _ findings: inout Findings) -> String? {
        switch ReferenceText(text) {
        case .urn(let urn):
            guard let target = self.targets[urn] else {
                findings.unresolved.append(urn)
                return nil
            }
            findings.entryReferences.insert(target)
            return target
        case .restful(_, let name, _):
            if let target = self.targets[text] ?? self.targets[name.description] {
                findings.entryReferences.insert(target)
                return target
            }
            return "\(name.type)/\(self.namespace.referenceTarget(name))"
        case .contained, .other:
            return nil
        }
    }

    /// The `Type/id` names the RESTful references in `resource` use: what the store must look up.
    static func names(in resource: Element) -> [ResourceName] {
        self.references(in: resource).compactMap { text in
            if case .restful(_, let name, _) = ReferenceText(text) { return name }
            return nil
        }
    }

    /// The `reference` values inside `resource`, without rewriting anything.
    static func references(in resource: Element) -> [String] {
        var found: [String] = []
        func walk(_ element: Element) {
            if element.type == "Reference", let value = element.string("reference") { found.append(value) }
            for child in element.children { walk(child) }
        }
        walk(resource)
        return found
    }
}
