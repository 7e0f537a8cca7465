/// The functions this engine knows and how many arguments each takes; used to reject unknown
/// functions and wrong argument counts before evaluation (semantic errors).
enum FHIRPathFunctionTable {
    static let arity: [String: ClosedRange<Int>] = {
        var table: [String: ClosedRange<Int>] = [:]
        for name in [
            "empty", "allTrue", "anyTrue", "allFalse", "anyFalse", "count", "distinct", "isDistinct", "first", "last",
            "tail", "single", "toBoolean", "convertsToBoolean", "toInteger", "convertsToInteger", "toDecimal",
            "convertsToDecimal", "toString", "convertsToString", "toDate", "convertsToDate", "toDateTime",
            "convertsToDateTime", "toTime", "convertsToTime", "upper", "lower", "length", "toChars", "trim", "abs",
            "ceiling", "exp", "floor", "ln", "sqrt", "truncate", "children", "descendants", "now", "today",
            "timeOfDay", "not", "resolve", "hasValue", "getValue", "htmlChecks", "type", "toLong",
            "convertsToLong",
        ] {
            table[name] = 0...0
        }
        for name in [
            "all", "subsetOf", "supersetOf", "where", "select", "repeat", "ofType", "skip", "take", "intersect",
            "exclude", "union", "combine", "indexOf", "startsWith", "endsWith", "contains", "matches", "split",
            "encode", "decode", "escape", "unescape", "log", "power", "is", "as", "extension", "memberOf",
            "conformsTo", "comparable", "matchesFull",
        ] {
            table[name] = 1...1
        }
        table["exists"] = 0...1
        table["iif"] = 2...3
        table["toQuantity"] = 0...1
        table["convertsToQuantity"] = 0...1
        table["substring"] = 1...2
        table["replace"] = 2...2
        table["replaceMatches"] = 2...2
        table["join"] = 0...1
        table["round"] = 0...1
        table["trace"] = 1...2
        table["aggregate"] = 1...2
        table["sort"] = 0...8
        table["lowBoundary"] = 0...1
        table["highBoundary"] = 0...1
        table["precision"] = 0...0
        return table
    }()

    /// Throws a semantic error for an unknown function or a wrong number of arguments anywhere in the
    /// tree, and for type names that are not FHIR or System types.
    static func check(_ node: FHIRPathNode) throws(FHIRPathError) {
        switch node {
        case .literal, .variable, .this, .index, .total, .member(nil, _):
            return
        case .member(.some(let target), _), .negate(let target):
            try check(target)
        case .indexer(let target, let index):
            try check(target)
            try check(index)
        case .binary(_, let lhs, let rhs):
            try check(lhs)
            try check(rhs)
        case .typeOperator(_, let operand, let type):
            try check(operand)
            guard FHIRPathTypes.isKnown(type) else { throw FHIRPathError(.semantic, "unknown type '\(type.name)'") }
        case .function(let target, let name, let arguments, let position):
            if let target { try check(target) }
            guard let range = arity[name] else {
                throw FHIRPathError(.semantic, "unknown function '\(name)'", at: position)
            }
            guard range.contains(arguments.count) else {
                throw FHIRPathError(
                    .semantic,
                    "'\(name)' takes \(range) arguments, got \(arguments.count)",
                    at: position
                )
            }
            if ["is", "as", "ofType"].contains(name) {
                guard let type = typeSpecifier(arguments[0]), FHIRPathTypes.isKnown(type) else {
                    throw FHIRPathError(.semantic, "'\(name)' needs a known type name", at: position)
                }
                return
            }
            for argument in arguments { try check(argument) }
        }
    }

    /// Reads a type name written as an argument: `Quantity`, `FHIR.Patient`, `` `System`.String ``.
    static func typeSpecifier(_ node: FHIRPathNode) -> FHIRPathTypeSpecifier? {
        switch node {
        case .member(nil, let name): FHIRPathTypeSpecifier(namespace: nil, name: name)
        case .member(.member(nil, let namespace), let name): FHIRPathTypeSpecifier(namespace: namespace, name: name)
        default: nil
        }
    }
}
