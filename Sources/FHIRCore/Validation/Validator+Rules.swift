extension Validator.Walk {
    /// Rules that belong to one type or position rather than to the structure definitions: extensions,
    /// references, contained resources and Bundle entries. Called before the node's children are walked.
    mutating func checkRules(_ node: Element, definition: ElementDefinition?) {
        switch node.type {
        case "Extension": self.checkExtension(node)
        case "Reference": self.checkReference(node)
        case "Bundle.Entry": self.checkBundleEntry(node)
        default: break
        }
        if let definition, definition.name == "contained", self.metadata.isResource(node.type) {
            self.checkContained(node)
        }
    }

    /// ext-1: an extension has a value or nested extensions, not both
    /// (https://hl7.org/fhir/R4/extensibility.html#Extension). A missing `url` is a cardinality error.
    private mutating func checkExtension(_ node: Element) {
        var hasValue = false
        var hasExtensions = false
        for child in node.children {
            if child.name == "value" { hasValue = true }
            if child.name == "extension" { hasExtensions = true }
        }
        if hasValue, hasExtensions {
            self.record(
                .error,
                .structure,
                "Extension must have either nested extensions or a value[x], not both (ext-1); found both",
                at: node.location
            )
        } else if !hasValue, !hasExtensions {
            self.record(
                .error,
                .required,
                "Extension must have a value[x] or nested extensions (ext-1); found neither",
                at: node.location
            )
        }
    }

    /// A `reference` of only whitespace points nowhere; `""` is already an empty-value error.
    private mutating func checkReference(_ node: Element) {
        guard let reference = node.child("reference"), let value = reference.value, !value.isEmpty,
            value.utf8.allSatisfy({ $0 == 0x20 || ($0 >= 0x09 && $0 <= 0x0D) })
        else { return }
        self.record(
            .error,
            .value,
            child: "reference",
            "Reference.reference must not be empty; found only whitespace",
            at: reference.location
        )
    }

    /// Contained resources need an id to be referenced (`#id`) and cannot nest (dom-2,
    /// https://hl7.org/fhir/R4/references.html#contained).
    private mutating func checkContained(_ node: Element) {
        if node.child("id") == nil {
            self.record(
                .error,
                .required,
                child: "id",
                "Contained \(node.type) must have an id so it can be referenced; found none",
                at: node.location
            )
        }
        if let nested = node.child("contained") {
            self.record(
                .error,
                .structure,
                child: "contained",
                index: 0,
                "Contained resources must not contain resources (dom-2); found a contained \(nested.type)",
                at: nested.location
            )
        }
    }

    /// fullUrl should agree with the resource's type and id when it is a RESTful URL
    /// (https://hl7.org/fhir/R4/bundle.html#bundle-unique); a mismatch is suspicious, not fatal.
    private mutating func checkBundleEntry(_ node: Element) {
        guard let fullURL = node.child("fullUrl"), let url = fullURL.value, !url.hasPrefix("urn:"),
            let resource = node.child("resource"), let id = resource.string("id"), !id.isEmpty,
            !Self.url(url, endsWith: resource.type, id)
        else { return }
        self.record(
            .warning,
            .value,
            child: "fullUrl",
            "Bundle.entry.fullUrl '\(Self.excerpt(url))' does not match the resource; "
                + "expected it to end with \(resource.type)/\(id)",
            at: fullURL.location
        )
    }

    /// Whether `url` is `…/type/id` or `…/type/id/_history/version`, compared as UTF-8 bytes: no strings
    /// are built and no grapheme breaking is needed for these ASCII separators.
    static func url(_ url: String, endsWith type: String, _ id: String) -> Bool {
        PrimitiveSyntax.bytes(of: url) { url in
            PrimitiveSyntax.bytes(of: type) { type in
                PrimitiveSyntax.bytes(of: id) { id in
                    var end = Self.historyStart(url) ?? url.count
                    func dropSuffix(_ suffix: UnsafeBufferPointer<UInt8>) -> Bool {
                        guard end >= suffix.count else { return false }
                        for offset in 0..<suffix.count where url[end - suffix.count + offset] != suffix[offset] {
                            return false
                        }
                        end -= suffix.count
                        return true
                    }
                    guard dropSuffix(id), end > 0, url[end - 1] == UInt8(ascii: "/") else { return false }
                    end -= 1
                    guard dropSuffix(type) else { return false }
                    return end == 0 || url[end - 1] == UInt8(ascii: "/")
                }
            }
        }
    }

    /// Where `/_history/` starts in the URL, if it does.
    private static func historyStart(_ url: UnsafeBufferPointer<UInt8>) -> Int? {
        let marker: StaticString = "/_history/"
        let length = marker.utf8CodeUnitCount
        guard url.count > length else { return nil }
        return marker.withUTF8Buffer { marker in
            for start in 0...(url.count - length) where url[start] == marker[0] {
                if (1..<length).allSatisfy({ url[start + $0] == marker[$0] }) { return start }
            }
            return nil
        }
    }
}
