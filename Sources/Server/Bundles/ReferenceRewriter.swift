import FHIRCore

/// Rewrites references between the entries of a transaction or message Bundle to the ids the server
/// assigned (https://hl7.org/fhir/R4/bundle.html#references and http.html#trules).
///
/// A reference names another entry by its `fullUrl` (a `urn:uuid:`, or an absolute URL whose last two
/// segments are `Type/id`). Only `Reference.reference` is rewritten; identifiers, narrative and logical
/// references by identifier are left as the sender wrote them.
struct ReferenceRewriter {
    /// `fullUrl` (and, for absolute URLs, its `Type/id` tail) → the assigned `Type/id`.
    private(set) var targets: [String: String] = [:]

    /// Records that the entry at `fullUrl` is stored as `reference` (`Type/id`).
    mutating func map(fullUrl: String, to reference: String) {
        self.targets[fullUrl] = reference
        // A relative reference `Type/id` inside the Bundle resolves against an absolute fullUrl's base.
        if !fullUrl.hasPrefix("urn:") {
            let segments = fullUrl.split(separator: "/")
            if segments.count >= 2 {
                self.targets[segments.suffix(2).joined(separator: "/")] = reference
            }
        }
    }

    /// What one rewrite found.
    struct Findings {
        /// The original reference texts that were rewritten (keys of ``targets``).
        var resolved: Set<String> = []
        /// `urn:uuid:` / `urn:oid:` references that name no entry of the Bundle.
        var unresolved: [String] = []
    }

    /// Rewrites every `Reference.reference` in `resource` (contained resources included) that names an
    /// entry of the Bundle.
    func rewrite(_ resource: inout Element, _ findings: inout Findings) {
        if resource.type == "Reference" {
            for index in resource.children.indices where resource.children[index].name == "reference" {
                guard let value = resource.children[index].value else { continue }
                if let target = self.targets[value] {
                    resource.children[index].value = target
                    findings.resolved.insert(value)
                } else if value.hasPrefix("urn:uuid:") || value.hasPrefix("urn:oid:") {
                    findings.unresolved.append(value)
                }
            }
        }
        for index in resource.children.indices {
            self.rewrite(&resource.children[index], &findings)
        }
    }

    /// The `reference` values inside `resource`, without rewriting anything (message focus closure).
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
