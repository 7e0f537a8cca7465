/// One open element while reading XML: the node being built and what its children must respect.
struct XMLFrame {
    enum Role {
        /// A FHIR element (or the root resource).
        case element
        /// A resource slot (`contained`, `entry.resource`) waiting for its resource element.
        case resourceSlot
        /// A resource slot whose resource element is open: children belong to that resource.
        case resourceOpen
        /// A resource slot whose resource element has ended.
        case resourceDone
    }

    var element: Element
    /// The node's type in ``XMLSchemaCache``; -1 for a slot that has no resource yet.
    var typeIndex: Int
    var role: Role
    /// Index among same-name siblings, for paths; nil for elements that do not repeat.
    var pathIndex: Int?
    /// Highest definition order among child elements so far (out-of-order detection).
    var lastElementOrder = -1
    /// Highest definition order among all children so far, attributes included.
    var maxOrder = -1
    /// Children arrived out of definition order and must be stably sorted at the end.
    var needsSort = false
    /// Text content was already reported for this element (report once).
    var reportedText = false
    /// Name and index of the previous repeating child, to index runs without rescanning.
    var lastRepeatingName = ""
    var lastRepeatingIndex = -1

    init(element: Element, typeIndex: Int, role: Role, pathIndex: Int?) {
        self.element = element
        self.typeIndex = typeIndex
        self.role = role
        self.pathIndex = pathIndex
    }

    /// Notes a child's definition order; true when it is an element that came too late.
    mutating func noteOrder(_ order: Int, isElement: Bool) -> Bool {
        if order < self.maxOrder { self.needsSort = true }
        self.maxOrder = max(self.maxOrder, order)
        guard isElement else { return false }
        if order < self.lastElementOrder { return true }
        self.lastElementOrder = order
        return false
    }

    /// The index of the next child named `name` among its same-name siblings.
    mutating func nextIndex(of name: String) -> Int {
        let index =
            name == self.lastRepeatingName
            ? self.lastRepeatingIndex + 1
            : self.element.children.reduce(0) { $1.name == name ? $0 + 1 : $0 }
        self.lastRepeatingName = name
        self.lastRepeatingIndex = index
        return index
    }
}
