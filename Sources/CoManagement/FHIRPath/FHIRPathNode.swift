/// The parsed form of an expression: a tree of invocations and operators.
indirect enum FHIRPathNode: Sendable {
    /// A literal collection: one value, or none for `{}`.
    case literal([FHIRPathValue])
    /// Navigation to a child by name; `nil` target means the input of the expression (`name` at the root).
    case member(FHIRPathNode?, String)
    /// `%name`.
    case variable(String)
    /// `$this`, `$index`, `$total`.
    case this
    case index
    case total
    /// A function call on a target (`name.where(…)`), or on the input when the target is nil.
    case function(FHIRPathNode?, String, [FHIRPathNode], position: Int)
    /// `collection[index]`.
    case indexer(FHIRPathNode, FHIRPathNode)
    /// Unary minus.
    case negate(FHIRPathNode)
    case binary(FHIRPathOperator, FHIRPathNode, FHIRPathNode)
    /// `expression is Type` or `expression as Type`.
    case typeOperator(isTest: Bool, FHIRPathNode, FHIRPathTypeSpecifier)
}

/// The binary operators, named as the spec writes them.
enum FHIRPathOperator: String, Sendable {
    case multiply = "*"
    case divide = "/"
    case div, mod
    case plus = "+"
    case minus = "-"
    case concatenate = "&"
    case union = "|"
    case less = "<"
    case greater = ">"
    case lessOrEqual = "<="
    case greaterOrEqual = ">="
    case equal = "="
    case equivalent = "~"
    case notEqual = "!="
    case notEquivalent = "!~"
    case `in`, contains
    case and, or, xor, implies
}

/// A type name in `is`, `as`, `ofType`: `Quantity`, `FHIR.Patient`, `System.String`.
struct FHIRPathTypeSpecifier: Sendable, Hashable {
    /// `FHIR`, `System`, or nil when not written.
    var namespace: String?
    var name: String
}
