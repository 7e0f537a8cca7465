extension Validator.Walk {
    /// Checks the children of a complex node against its type's elements: known names, cardinality,
    /// choice elements with one value, allowed types; then visits each child.
    ///
    /// Children arrive in definition order (the readers' contract), so missing required elements are
    /// reported when the walk passes their place, keeping all issues in definition order. Counting uses
    /// stack scratch space, not a dictionary, because this runs for every complex node.
    mutating func visitChildren(of node: Element, as type: TypeDefinition) {
        let definitions = type.elements
        let children = node.children
        let scratchSize = children.count + 3 * definitions.count
        withUnsafeTemporaryAllocation(of: Int.self, capacity: scratchSize) { scratch in
            // Layout: [definition index per child | total per definition | seen so far | first child index].
            let totalBase = children.count
            let seenBase = totalBase + definitions.count
            let firstBase = seenBase + definitions.count
            scratch.initialize(repeating: 0)
            for order in 0..<definitions.count { scratch[firstBase + order] = -1 }
            for (index, child) in children.enumerated() {
                guard let order = type.element(named: child.name)?.order else {
                    scratch[index] = -1
                    continue
                }
                scratch[index] = order
                scratch[totalBase + order] += 1
                if scratch[firstBase + order] < 0 { scratch[firstBase + order] = index }
            }

            var nextUnchecked = 0
            for (index, child) in children.enumerated() {
                let order = scratch[index]
                guard order >= 0 else {
                    self.record(
                        .error,
                        .structure,
                        child: child.name,
                        "Unknown element '\(child.name)' in \(type.name); expected one of \(Self.names(definitions))",
                        at: child.location
                    )
                    continue
                }
                if order >= nextUnchecked {
                    self.checkMissing(
                        definitions,
                        from: nextUnchecked,
                        to: order,
                        totals: scratch,
                        base: totalBase,
                        node
                    )
                    nextUnchecked = order + 1
                }
                let definition = definitions[order]
                let occurrence = scratch[seenBase + order]
                scratch[seenBase + order] += 1
                if occurrence == definition.max {
                    self.reportTooMany(
                        definition,
                        first: children[scratch[firstBase + order]],
                        extra: child,
                        total: scratch[totalBase + order]
                    )
                }
                self.path.push(child.name, index: definition.isRepeating ? occurrence : nil)
                if self.checkType(child, definition) {
                    self.visit(child, definition: definition)
                }
                self.path.pop()
            }
            self.checkMissing(
                definitions,
                from: nextUnchecked,
                to: definitions.count,
                totals: scratch,
                base: totalBase,
                node
            )
        }
    }

    /// Reports required elements in `from..<to` that do not occur often enough.
    private mutating func checkMissing(
        _ definitions: [ElementDefinition],
        from start: Int,
        to end: Int,
        totals scratch: UnsafeMutableBufferPointer<Int>,
        base: Int,
        _ node: Element
    ) {
        guard start < end else { return }
        for order in start..<end where definitions[order].min > scratch[base + order] {
            let definition = definitions[order]
            let found = scratch[base + order]
            let name = definition.isChoice ? definition.name + "[x]" : definition.name
            let message =
                found == 0
                ? "Missing required element '\(name)' (min \(definition.min)); found none"
                : "Element '\(name)' must occur at least \(definition.min) times; found \(found)"
            self.record(.error, .required, child: definition.name, message, at: node.location)
        }
    }

    /// Reports the first occurrence past the maximum, once per element.
    private mutating func reportTooMany(
        _ definition: ElementDefinition,
        first: Element,
        extra: Element,
        total: Int
    ) {
        let message: String
        if definition.isChoice, first.type != extra.type {
            message =
                "Choice element '\(definition.name)[x]' has two values: \(definition.wireName(for: first.type))"
                + " and \(definition.wireName(for: extra.type)); only one is allowed"
        } else {
            message =
                "Element '\(definition.name)' occurs \(total) times; at most \(definition.max) allowed"
        }
        self.record(.error, .structure, child: definition.name, message, at: extra.location)
    }

    /// Whether the node's type is one the definition allows; records an error when not. Returns whether the
    /// node can still be walked (its type is known to the metadata).
    private mutating func checkType(_ node: Element, _ definition: ElementDefinition) -> Bool {
        for allowed in definition.types {
            if allowed == node.type { return true }
            // `Resource` positions (contained, Bundle.entry.resource) take any concrete resource.
            if allowed == "Resource", self.metadata.isResource(node.type) { return true }
        }
        let isKnown =
            node.type == "xhtml" || self.metadata.isPrimitive(node.type)
            || self.metadata.type(named: node.type) != nil
        let expected =
            definition.types == ["Resource"]
            ? "a resource type"
            : definition.types.prefix(8).joined(separator: ", ")
                + (definition.types.count > 8 ? ", …" : "")
        self.record(
            .error,
            .structure,
            "Element '\(definition.name)' has type '\(node.type)'\(isKnown ? "" : " (unknown)"); expected \(expected)",
            at: node.location
        )
        return isKnown && node.type != "Resource" && node.type != "DomainResource"
    }

    static func names(_ definitions: [ElementDefinition]) -> String {
        let names = definitions.prefix(12).map(\.name).joined(separator: ", ")
        return definitions.count > 12 ? names + ", …" : names
    }
}
