/// The children of one JSON object as the reader meets its keys, put into R4 definition order at the end.
///
/// JSON senders may write keys in any order and split a primitive over `given` and `_given`; this
/// collects both halves into one node per occurrence (aligned by array index) and then sorts stably by
/// definition order, so the tree equals the one the XML reader makes.
struct JSONObjectChildren {
    /// A primitive element whose occurrences may receive their other half (`x` or `_x`) later.
    private struct PrimitiveRun {
        let order: Int
        let type: String
        let start: Int
        let count: Int
        let isRepeating: Bool
    }

    /// An occurrence with neither a value nor an id/extension: `null` in both `x` and `_x`, or an item of
    /// the wrong kind with no companion.
    struct EmptyPrimitive {
        let name: String
        let index: Int?
        let location: SourceLocation
    }

    private var elements: [Element] = []
    private var orders: [Int] = []
    private var runs: [PrimitiveRun] = []
    /// Array items already reported as the wrong kind; finish() drops them without a second issue.
    private var reportedItems: [SourceLocation] = []

    mutating func append(_ element: Element, order: Int) {
        self.elements.append(element)
        self.orders.append(order)
    }

    /// Adds the occurrences of a primitive from its value key (`given`) or its companion (`_given`).
    ///
    /// When the other half was read already, the two are merged index by index: values bring `value`,
    /// companions bring `children`. Returns the two lengths when they differ, which is an error.
    mutating func mergePrimitive(
        _ items: [Element],
        order: Int,
        type: String,
        isRepeating: Bool,
        areCompanions: Bool
    ) -> (existing: Int, new: Int)? {
        // Keyed by order and type: `valueString` and `_valueBoolean` are halves of different occurrences.
        guard let runIndex = self.runs.firstIndex(where: { $0.order == order && $0.type == type }) else {
            self.runs.append(
                PrimitiveRun(
                    order: order,
                    type: type,
                    start: self.elements.count,
                    count: items.count,
                    isRepeating: isRepeating
                )
            )
            for item in items { self.append(item, order: order) }
            return nil
        }
        let run = self.runs[runIndex]
        for (offset, item) in items.prefix(run.count).enumerated() {
            let target = run.start + offset
            if areCompanions {
                self.elements[target].children = item.children
                if self.elements[target].value == nil { self.elements[target].location = item.location }
            } else {
                self.elements[target].value = item.value
                if item.value != nil { self.elements[target].location = item.location }
            }
        }
        return run.count == items.count ? nil : (run.count, items.count)
    }

    /// Notes an array item that was reported already (wrong JSON kind) and is kept only as a placeholder
    /// for index alignment.
    mutating func noteReported(at location: SourceLocation) {
        self.reportedItems.append(location)
    }

    /// The children in definition order (stable, so repeated elements keep array order), without the
    /// empty primitive occurrences, which are returned for the caller to report.
    mutating func finish() -> (children: [Element], empties: [EmptyPrimitive]) {
        var empties: [EmptyPrimitive] = []
        var removed: [Int] = []
        for run in self.runs {
            for offset in 0..<run.count {
                let element = self.elements[run.start + offset]
                if element.value == nil && element.children.isEmpty {
                    removed.append(run.start + offset)
                    if self.reportedItems.contains(element.location) { continue }
                    empties.append(
                        EmptyPrimitive(
                            name: element.name,
                            index: run.isRepeating ? offset : nil,
                            location: element.location
                        )
                    )
                }
            }
        }
        if !removed.isEmpty {
            // Collected first and removed from the back, so the run offsets stay valid while scanning.
            for index in removed.sorted(by: >) {
                self.elements.remove(at: index)
                self.orders.remove(at: index)
            }
        }
        var isSorted = true
        for index in self.orders.indices.dropFirst() where self.orders[index - 1] > self.orders[index] {
            isSorted = false
            break
        }
        if isSorted { return (self.elements, empties) }
        let orders = self.orders
        let permutation = orders.indices.sorted { (orders[$0], $0) < (orders[$1], $1) }
        return (permutation.map { self.elements[$0] }, empties)
    }
}
