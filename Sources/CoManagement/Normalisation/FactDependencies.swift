import FHIRCore

/// The names each fact's reading looked up, collected while facts are read (``FieldReader/resolve(_:from:)``).
///
/// A fact depends on its own resource and on everything a reference of it, or of a resource reached
/// through one, resolved to or tried to resolve to: the reference's text, its `Type/id`, its logical
/// identifier, and the key of the target found. When a resource known by one of those names is stored,
/// the fact is read again (``EpisodeBook``), so a fact never goes stale, and facts of resources no message
/// touched are never read again.
///
/// A class for the reason ``IssueLog`` is one: the readers are values passed into many small helpers; it
/// lives for one reading, on one task.
final class FactDependencies {
    private(set) var names: [String: Set<String>] = [:]
    /// The key of the fact being read; the names looked up meanwhile are its dependencies.
    var current: String?

    func record(_ looked: some Sequence<String>) {
        guard let current else { return }
        self.names[current, default: []].formUnion(looked)
    }

    /// The names a lookup of `reference` from `holder` tries, and the key of what it found.
    static func names(of reference: Element, holder: HeldResource?, found: ResourceIndex.Target?) -> [String] {
        var names: [String] = []
        let text = reference.string("reference") ?? (reference.children.isEmpty ? reference.value : nil)
        if let text, !text.isEmpty {
            if text.hasPrefix("#") {
                if let holder { names.append(holder.key) }
            } else {
                names.append(text)
                if let relative = ResourceIndex.relativeReference(text) { names.append(relative) }
            }
        }
        if let identifier = reference.child("identifier"), let value = identifier.string("value") {
            names.append("identifier:\(identifier.string("system") ?? "")|\(value)")
        }
        if let found, found.resource != nil { names.append(found.holder?.key ?? found.key) }
        return names
    }
}
