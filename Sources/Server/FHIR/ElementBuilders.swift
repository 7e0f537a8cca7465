import FHIRCore

/// Small constructors for the resources the server writes itself (Bundles, CapabilityStatement).
extension Element {
    static func primitive(_ name: String, _ type: String, _ value: String) -> Element {
        Element(name: name, type: type, value: value)
    }

    static func node(_ name: String, _ type: String, _ children: [Element]) -> Element {
        Element(name: name, type: type, children: children)
    }

    /// The resource with its node renamed, to place it inside `Bundle.entry.resource` and the like.
    func named(_ name: String) -> Element {
        var copy = self
        copy.name = name
        return copy
    }
}
