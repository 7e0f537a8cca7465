public import FHIRCore

/// An element tree indexed for FHIRPath: every node knows its parent, so `resolve()`, `%resource`,
/// `children()` and `descendants()` can move around it. Built once per evaluated resource.
///
/// A `final class` so that every ``ElementRef`` into one tree shares it; immutable after `init`, hence
/// `Sendable`.
public final class ElementTree: Sendable {
    struct Node: Sendable {
        let element: Element
        let parent: Int
        /// Indices of the children in ``nodes``; they are contiguous because nodes are laid out
        /// breadth-first.
        let children: Range<Int>
    }

    let nodes: [Node]

    /// Indexes a tree. Cost is linear in the number of nodes.
    public init(_ root: Element) {
        var nodes: [Node] = []
        // Breadth-first: a node's children are appended together, so they form a range.
        var queue: [(element: Element, parent: Int)] = [(root, -1)]
        var head = 0
        var nextChild = 1
        while head < queue.count {
            let (element, parent) = queue[head]
            let range = nextChild..<(nextChild + element.children.count)
            nextChild += element.children.count
            for child in element.children { queue.append((child, head)) }
            nodes.append(Node(element: element, parent: parent, children: range))
            head += 1
        }
        self.nodes = nodes
    }

    /// The root node.
    public var root: ElementRef { ElementRef(tree: self, index: 0) }
}

/// A node in an ``ElementTree``: the element plus where it sits. Two refs are equal when they point at
/// the same node of the same tree; FHIRPath's `=` compares content instead.
public struct ElementRef: Sendable, Hashable {
    public let tree: ElementTree
    let index: Int

    init(tree: ElementTree, index: Int) {
        self.tree = tree
        self.index = index
    }

    /// The element this ref points at.
    public var element: Element { self.tree.nodes[self.index].element }

    public var name: String { self.element.name }
    public var type: String { self.element.type }

    /// The parent node; nil at the root.
    public var parent: ElementRef? {
        let parent = self.tree.nodes[self.index].parent
        return parent < 0 ? nil : ElementRef(tree: self.tree, index: parent)
    }

    /// The child nodes in order.
    public var children: [ElementRef] {
        self.tree.nodes[self.index].children.map { ElementRef(tree: self.tree, index: $0) }
    }

    /// The nearest resource at or above this node (`%resource` for an element inside it).
    public var enclosingResource: ElementRef? {
        var current: ElementRef? = self
        while let node = current {
            if node.element.isResource { return node }
            current = node.parent
        }
        return nil
    }

    public static func == (lhs: ElementRef, rhs: ElementRef) -> Bool {
        lhs.tree === rhs.tree && lhs.index == rhs.index
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(ObjectIdentifier(self.tree))
        hasher.combine(self.index)
    }
}
