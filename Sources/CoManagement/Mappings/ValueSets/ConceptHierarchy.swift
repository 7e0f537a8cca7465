/// The SNOMED CT is-a hierarchy for the branches the service lines need, from the hierarchy file in
/// `Mappings/`: each concept with its display and its is-a parents.
///
/// A concept not in the file has no known ancestors, so only an exact code or a concept list selects it.
/// Loading refuses cycles, so every walk up the hierarchy ends.
public struct ConceptHierarchy: Sendable, Hashable {
    /// One concept of the file.
    public struct Concept: Sendable, Hashable {
        public var id: String
        public var display: String
        public var parents: [String]

        public init(id: String, display: String, parents: [String]) {
            self.id = id
            self.display = display
            self.parents = parents
        }
    }

    /// Concepts by id.
    public private(set) var concepts: [String: Concept] = [:]

    /// An empty hierarchy: nothing descends from anything.
    public init() {}

    /// A hierarchy of the given concepts; the caller checks them (``cycle()``, unknown parents).
    public init(_ concepts: [Concept]) {
        for concept in concepts { self.concepts[concept.id] = concept }
    }

    /// The concept's display, when the file holds it.
    public func display(of id: String) -> String? {
        self.concepts[id]?.display
    }

    /// Whether `id` is below `ancestor` (through one or more is-a steps); false for the concept itself.
    public func isDescendant(_ id: String, of ancestor: String) -> Bool {
        var seen: Set<String> = [id]
        var queue = self.concepts[id]?.parents ?? []
        while let next = queue.popLast() {
            if next == ancestor { return true }
            guard seen.insert(next).inserted else { continue }
            queue += self.concepts[next]?.parents ?? []
        }
        return false
    }

    /// A chain of concepts that leads back to where it started, if the parents form a cycle.
    public func cycle() -> [String]? {
        enum Mark { case visiting, done }
        var marks: [String: Mark] = [:]
        var path: [String] = []
        func visit(_ id: String) -> [String]? {
            switch marks[id] {
            case .done: return nil
            case .visiting:
                return Array(path[(path.firstIndex(of: id) ?? 0)...]) + [id]
            case nil: break
            }
            marks[id] = .visiting
            path.append(id)
            for parent in self.concepts[id]?.parents ?? [] {
                if let found = visit(parent) { return found }
            }
            path.removeLast()
            marks[id] = .done
            return nil
        }
        for id in self.concepts.keys.sorted() {
            if let found = visit(id) { return found }
        }
        return nil
    }
}
