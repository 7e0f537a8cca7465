/// Writes an ``Element`` tree as FHIR JSON into one growing byte buffer.
///
/// The tree decides what is written, the R4 metadata decides how: property names (choice suffixes),
/// arrays for repeating elements, the JSON kind of each primitive, and the order (attributes such as
/// `Element.id` and `Extension.url` first, then definition order). Children the metadata does not know
/// are skipped, so even a hand-built tree gives valid JSON.
struct JSONWriter {
    var output: [UInt8] = []
    let pretty: Bool
    let metadata = R4Metadata.shared
    private var indent = 0
    /// Whether the innermost open object or array has had an entry yet (for commas and newlines).
    private var isFirstEntry = true

    init(pretty: Bool) {
        self.pretty = pretty
        self.output.reserveCapacity(16 * 1024)
    }

    /// Writes the root: a resource object with `resourceType` first.
    mutating func writeResource(_ resource: Element) {
        guard let type = self.metadata.type(named: resource.type) else {
            self.output.append(contentsOf: "{}".utf8)
            return
        }
        self.writeObject(resource, type: type, resourceType: type.isResource ? resource.type : nil)
    }

    /// Writes `node` as an object of `type`.
    mutating func writeObject(_ node: Element, type: TypeDefinition, resourceType: String?) {
        self.openContainer(.openBrace)
        if let resourceType {
            self.writeKey("resourceType")
            self.writeString(resourceType)
        }
        // Rank: attributes first (as XML writes them), then definition order; the child index keeps
        // repeated elements in their order.
        var plan: [(rank: Int, child: Int, order: Int)] = []
        plan.reserveCapacity(node.children.count)
        for (index, child) in node.children.enumerated() {
            guard let definition = type.element(named: child.name) else { continue }
            let rank =
                definition.representation == .attribute ? definition.order : definition.order + type.elements.count
            plan.append((rank, index, definition.order))
        }
        if !plan.indices.dropFirst().allSatisfy({ plan[$0 - 1].rank <= plan[$0].rank }) {
            plan.sort { ($0.rank, $0.child) < ($1.rank, $1.child) }
        }
        var start = 0
        while start < plan.count {
            var end = start + 1
            while end < plan.count && plan[end].rank == plan[start].rank { end += 1 }
            let occurrences = Occurrences(node: node, plan: plan, range: start..<end)
            self.writeProperty(type.elements[plan[start].order], occurrences)
            start = end
        }
        self.closeContainer(.closeBrace)
    }

    /// The children of one node that are occurrences of one element, by index into the node's children,
    /// so writing them builds no array of elements.
    private struct Occurrences {
        let node: Element
        let plan: [(rank: Int, child: Int, order: Int)]
        let range: Range<Int>

        var indices: some Sequence<Int> { self.range.lazy.map { self.plan[$0].child } }

        subscript(index: Int) -> Element { self.node.children[index] }
    }

    /// Writes all occurrences of one element: those with a type the element allows, only the first unless
    /// it repeats.
    private mutating func writeProperty(_ definition: ElementDefinition, _ occurrences: Occurrences) {
        if definition.representation == .xhtml {
            guard let markup = occurrences.indices.lazy.compactMap({ occurrences[$0].value }).first else { return }
            self.writeKey(definition.name)
            self.writeString(markup)
            return
        }
        let metadata = self.metadata
        var typed: [(index: Int, type: String)] = []
        let single = !definition.isRepeating || definition.representation == .attribute
        for index in occurrences.indices {
            guard let type = Self.wireType(of: occurrences[index], in: definition, metadata) else { continue }
            typed.append((index, type))
            if single { break }
        }
        guard let first = typed.first else { return }
        if let kind = metadata.primitiveKind(of: first.type) {
            self.writePrimitive(definition, occurrences, typed.map(\.index), type: first.type, kind: kind)
            return
        }
        self.writeKey(definition.wireName(for: first.type))
        if definition.isRepeating { self.openContainer(.openBracket) }
        for (index, type) in typed {
            if definition.isRepeating { self.beginEntry() }
            if let typeDefinition = metadata.type(named: type) {
                self.writeObject(
                    occurrences[index],
                    type: typeDefinition,
                    resourceType: typeDefinition.isResource ? type : nil
                )
            } else {
                self.output.append(contentsOf: "{}".utf8)
            }
        }
        if definition.isRepeating { self.closeContainer(.closeBracket) }
    }

    /// The type to write an occurrence as, or nil when the element does not allow it.
    private static func wireType(of item: Element, in definition: ElementDefinition, _ metadata: R4Metadata) -> String?
    {
        if definition.isChoice { return definition.types.contains(item.type) ? item.type : nil }
        guard let declared = definition.types.first else { return nil }
        if declared == "Resource" || declared == "DomainResource" {
            return metadata.isResource(item.type) ? item.type : nil
        }
        return declared
    }

    /// Writes a primitive's values (the occurrences at `indices`), and its `_x` companion when some
    /// occurrence has an id or extension; arrays are padded with `null` in both so they align by index.
    private mutating func writePrimitive(
        _ definition: ElementDefinition,
        _ occurrences: Occurrences,
        _ indices: [Int],
        type: String,
        kind: R4Metadata.JSONKind
    ) {
        func hasExtras(_ index: Int) -> Bool {
            occurrences[index].children.contains { $0.name == "id" || $0.name == "extension" }
        }
        func isKept(_ index: Int) -> Bool { occurrences[index].value != nil || hasExtras(index) }
        guard indices.contains(where: isKept) else { return }
        let wireName = definition.wireName(for: type)
        let isArray = definition.isRepeating && definition.representation != .attribute
        if indices.contains(where: { occurrences[$0].value != nil }) {
            self.writeKey(wireName)
            if isArray { self.openContainer(.openBracket) }
            for index in indices where isKept(index) {
                if isArray { self.beginEntry() }
                if let value = occurrences[index].value {
                    self.writeScalar(value, kind: kind)
                } else {
                    self.writeNull()
                }
            }
            if isArray { self.closeContainer(.closeBracket) }
        }
        guard definition.representation == .element, indices.contains(where: hasExtras),
            let extras = self.metadata.type(named: "Element")
        else { return }
        self.writeKey("_" + wireName)
        if isArray { self.openContainer(.openBracket) }
        for index in indices where isKept(index) {
            if isArray { self.beginEntry() }
            if hasExtras(index) {
                self.writeObject(occurrences[index], type: extras, resourceType: nil)
            } else {
                self.writeNull()
            }
        }
        if isArray { self.closeContainer(.closeBracket) }
    }

    // MARK: Layout

    private mutating func openContainer(_ bracket: UInt8) {
        self.output.append(bracket)
        self.indent += 1
        self.isFirstEntry = true
    }

    private mutating func closeContainer(_ bracket: UInt8) {
        self.indent -= 1
        if self.pretty && !self.isFirstEntry { self.newline() }
        self.output.append(bracket)
        self.isFirstEntry = false
    }

    /// Starts an object member or array item: a comma after the previous one, and a new line when pretty.
    private mutating func beginEntry() {
        if !self.isFirstEntry { self.output.append(.comma) }
        self.isFirstEntry = false
        if self.pretty { self.newline() }
    }

    private mutating func newline() {
        self.output.append(.newline)
        for _ in 0..<self.indent { self.output.append(contentsOf: [.space, .space]) }
    }

    private mutating func writeKey(_ key: String) {
        self.beginEntry()
        self.writeString(key)
        self.output.append(.colon)
        if self.pretty { self.output.append(.space) }
    }
}
