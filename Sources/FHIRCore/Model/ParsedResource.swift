/// What a reader produces: the resource tree and the non-fatal problems it saw on the way (unknown
/// elements, wrong JSON kinds, misplaced XML content), which the validator merges into its outcome.
///
/// Input that cannot be read at all (syntax, encoding, limits, DOCTYPE) is not a `ParsedResource`: the
/// reader throws an ``Outcome`` with one fatal issue instead.
public struct ParsedResource: Sendable {
    public var root: Element
    public var issues: Outcome

    public init(root: Element, issues: Outcome = Outcome()) {
        self.root = root
        self.issues = issues
    }
}
