import FHIRCore

/// Functions that move around the tree: `children`, `descendants`, `extension`, `resolve`, and the
/// FHIR-specific `hasValue`/`getValue` (https://hl7.org/fhir/R4/fhirpath.html#functions).
extension FHIRPathEvaluator {
    func children(_ focus: [FHIRPathValue]) -> [FHIRPathValue] {
        focus.flatMap { item in item.elementRef.map { $0.children.map(FHIRPathValue.element) } ?? [] }
    }

    func descendants(_ focus: [FHIRPathValue]) -> [FHIRPathValue] {
        var result: [FHIRPathValue] = []
        var pending = self.children(focus)
        while !pending.isEmpty {
            result += pending
            pending = self.children(pending)
        }
        return result
    }

    /// `extension(url)`: the extensions of each item with that `url`.
    func extensions(_ focus: [FHIRPathValue], url: String) -> [FHIRPathValue] {
        self.children(of: focus, named: "extension").filter { item in
            item.elementRef?.element.string("url") == url
        }
    }

    /// `resolve()`: contained resources for `#id`, else Bundle entries by `fullUrl` or `Type/id`.
    /// References outside the evaluated resource resolve to nothing: evaluation is pure.
    func resolve(_ focus: [FHIRPathValue]) -> [FHIRPathValue] {
        var result: [FHIRPathValue] = []
        for item in focus {
            let reference: String?
            let origin: ElementRef?
            switch item {
            case .element(let ref):
                reference = ref.element.value ?? ref.element.string("reference")
                origin = ref
            case .string(let text):
                reference = text
                origin = nil
            default:
                reference = nil
                origin = nil
            }
            guard let reference, let target = self.resolve(reference, from: origin) else { continue }
            result.append(.element(target))
        }
        return result
    }

    private func resolve(_ reference: String, from origin: ElementRef?) -> ElementRef? {
        guard let root = self.resource.elementRef ?? origin else { return nil }
        if reference.hasPrefix("#") {
            let id = String(reference.dropFirst())
            // The container is the outermost resource above the reference that has `contained`.
            var current: ElementRef? = origin ?? root
            while let node = current {
                if node.element.isResource,
                    let hit = node.children.first(where: { $0.name == "contained" && $0.element.string("id") == id })
                {
                    return hit
                }
                current = node.parent
            }
            return nil
        }
        let treeRoot = ElementRef(tree: root.tree, index: 0)
        for entry in treeRoot.children where entry.name == "entry" {
            guard let resource = entry.children.first(where: { $0.name == "resource" }) else { continue }
            let fullUrl = entry.element.string("fullUrl")
            if fullUrl == reference { return resource }
            let relative = resource.type + "/" + (resource.element.string("id") ?? "")
            if reference == relative || (fullUrl?.hasSuffix("/" + relative) == true && reference.hasSuffix(relative)) {
                return resource
            }
        }
        return nil
    }

    /// `hasValue()`: a single FHIR primitive with a value.
    func hasValue(_ focus: [FHIRPathValue]) -> Bool {
        guard focus.count == 1, case .element(let ref) = focus[0] else { return false }
        return ref.element.value != nil && R4Metadata.shared.isPrimitive(ref.type)
    }
}
