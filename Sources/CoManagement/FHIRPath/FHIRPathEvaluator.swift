import FHIRCore

/// Walks a ``FHIRPathNode`` tree over one resource. Value type; one per evaluation.
struct FHIRPathEvaluator {
    /// What `$this`, `$index` and `$total` mean inside the current iteration.
    struct Scope {
        var this: [FHIRPathValue]
        var index: Int?
        var total: [FHIRPathValue]?
    }

    let environment: FHIRPathEnvironment
    /// `%resource`, `%context` and `%rootResource`: the evaluated resource.
    let resource: FHIRPathValue

    func evaluate(
        _ node: FHIRPathNode,
        _ input: [FHIRPathValue],
        _ scope: Scope
    ) throws(FHIRPathError)
        -> [FHIRPathValue]
    {
        switch node {
        case .literal(let values):
            return values
        case .member(nil, let name):
            // At the start of a path a type name selects the input when it is of that type
            // (https://hl7.org/fhirpath/N1/#path-selection): `Patient.name` on a Patient.
            if let first = name.first, first.isUppercase {
                let matching = input.filter { FHIRPathTypes.isTypeOrSubtype($0, name) }
                if !matching.isEmpty { return matching }
                if R4Metadata.shared.isResource(name) {
                    // On the evaluated resource itself a wrong type is a mistake in the expression.
                    if input.count == 1, input[0] == self.resource {
                        throw FHIRPathError(.semantic, "expression is for \(name), input is \(self.resource.typeName)")
                    }
                    return []
                }
            }
            return self.children(of: input, named: name)
        case .member(.some(let target), let name):
            return self.children(of: try self.evaluate(target, input, scope), named: name)
        case .variable(let name):
            switch name {
            case "resource", "context", "rootResource": return [self.resource]
            default:
                guard let value = self.environment.variable(name) else {
                    throw FHIRPathError(.semantic, "unknown variable %\(name)")
                }
                return value
            }
        case .this:
            return scope.this
        case .index:
            return scope.index.map { [.integer($0)] } ?? []
        case .total:
            return scope.total ?? []
        case .function(let target, let name, let arguments, _):
            let focus = try target.map { node throws(FHIRPathError) in try self.evaluate(node, input, scope) } ?? input
            return try self.call(name, on: focus, arguments, input: input, scope: scope)
        case .indexer(let target, let indexNode):
            let collection = try self.evaluate(target, input, scope)
            let index = try self.evaluate(indexNode, input, scope)
            guard let position = try Self.integer(index) else { return [] }
            return position >= 0 && position < collection.count ? [collection[position]] : []
        case .negate(let operand):
            return try FHIRPathOperators.negate(try self.evaluate(operand, input, scope))
        case .binary(let op, let lhs, let rhs):
            return try self.binary(op, lhs, rhs, input, scope)
        case .typeOperator(let isTest, let operand, let type):
            let values = try self.evaluate(operand, input, scope)
            guard !values.isEmpty else { return [] }
            guard values.count == 1 else {
                throw .evaluation("'\(isTest ? "is" : "as")' needs a single item, got \(values.count)")
            }
            let matches = FHIRPathTypes.isTypeOrSubtype(values[0], type, exactPrimitives: !isTest)
            return isTest ? [.boolean(matches)] : (matches ? values : [])
        }
    }

    private func binary(
        _ op: FHIRPathOperator,
        _ lhs: FHIRPathNode,
        _ rhs: FHIRPathNode,
        _ input: [FHIRPathValue],
        _ scope: Scope
    ) throws(FHIRPathError) -> [FHIRPathValue] {
        let left = try self.evaluate(lhs, input, scope)
        // `and`, `or` and `implies` may decide on the left operand alone.
        switch op {
        case .and where try Self.boolean(left) == false: return [.boolean(false)]
        case .or where try Self.boolean(left) == true: return [.boolean(true)]
        case .implies where try Self.boolean(left) == false: return [.boolean(true)]
        default: break
        }
        let right = try self.evaluate(rhs, input, scope)
        return try FHIRPathOperators.apply(op, left, right)
    }

    /// Children with the given name of every node in the collection, in order.
    func children(of collection: [FHIRPathValue], named name: String) -> [FHIRPathValue] {
        var result: [FHIRPathValue] = []
        for item in collection {
            guard case .element(let ref) = item else { continue }
            let children = ref.children
            var found = false
            for child in children where child.name == name {
                result.append(.element(child))
                found = true
            }
            // `valueQuantity`: our tree names choice elements without the type suffix.
            if !found, name.count > 1 {
                for child in children where name.hasPrefix(child.name) && name.count > child.name.count {
                    if child.name + FHIRPathTypes.choiceSuffix(child.type) == name { result.append(.element(child)) }
                }
            }
        }
        return result
    }

    /// The Boolean of a singleton (https://hl7.org/fhirpath/N1/#singleton-evaluation-of-collections):
    /// nil for empty, `true` for a single non-Boolean item, an error for several items.
    static func boolean(_ collection: [FHIRPathValue]) throws(FHIRPathError) -> Bool? {
        guard !collection.isEmpty else { return nil }
        guard collection.count == 1 else {
            throw .evaluation("expected a single Boolean, got \(collection.count) items")
        }
        if case .boolean(let value) = collection[0].systemValue { return value }
        return true
    }

    /// The single Integer of a collection; nil for empty, an error for anything else.
    static func integer(_ collection: [FHIRPathValue]) throws(FHIRPathError) -> Int? {
        guard let value = try singleton(collection) else { return nil }
        if case .integer(let integer) = value { return integer }
        throw .evaluation("expected an Integer, got \(value.typeName)")
    }

    /// The single item of a collection as a System value; nil for empty, an error for several.
    static func singleton(_ collection: [FHIRPathValue]) throws(FHIRPathError) -> FHIRPathValue? {
        guard !collection.isEmpty else { return nil }
        guard collection.count == 1 else { throw .evaluation("expected a single item, got \(collection.count)") }
        return collection[0].systemValue
    }

    /// The single String of a collection; nil for empty, an error for other types.
    static func string(_ collection: [FHIRPathValue]) throws(FHIRPathError) -> String? {
        guard let value = try singleton(collection) else { return nil }
        if case .string(let text) = value { return text }
        throw .evaluation("expected a String, got \(value.typeName)")
    }
}
