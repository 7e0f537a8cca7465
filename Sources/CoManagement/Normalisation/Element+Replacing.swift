public import FHIRCore

extension Element {
    /// Replaces the children named `name` with `replacements` (none removes them), placed where R4 orders
    /// them among the element's type's children (``FHIRCore/R4Metadata``); names R4 does not know go last.
    public mutating func replaceChildren(named name: String, with replacements: [Element]) {
        let definition = R4Metadata.shared.type(named: self.type)
        func rank(_ child: Element) -> Int { definition?.element(named: child.name)?.order ?? Int.max }
        self.children.removeAll { $0.name == name }
        guard let first = replacements.first else { return }
        let position = self.children.firstIndex { rank($0) > rank(first) } ?? self.children.count
        self.children.insert(contentsOf: replacements, at: position)
    }
}
