/// Function calls: argument handling and the collection functions
/// (https://hl7.org/fhirpath/N1/#functions). Strings, math, conversions and tree navigation live in
/// their own extensions.
extension FHIRPathEvaluator {
    func call(
        _ name: String,
        on focus: [FHIRPathValue],
        _ arguments: [FHIRPathNode],
        input: [FHIRPathValue],
        scope: Scope
    ) throws(FHIRPathError) -> [FHIRPathValue] {
        // Arguments that are not iterated over are evaluated where the call was written.
        let argument = { (position: Int) throws(FHIRPathError) -> [FHIRPathValue] in
            guard position < arguments.count else { return [] }
            return try self.evaluate(arguments[position], input, scope)
        }
        switch name {
        case "empty": return [.boolean(focus.isEmpty)]
        case "exists":
            if arguments.isEmpty { return [.boolean(!focus.isEmpty)] }
            return [.boolean(try !self.filter(focus, arguments[0], scope).isEmpty)]
        case "all":
            for (offset, item) in focus.enumerated() {
                let result = try self.evaluate(arguments[0], [item], self.itemScope(item, offset, scope))
                if try Self.boolean(result) != true { return [.boolean(false)] }
            }
            return [.boolean(true)]
        case "allTrue", "anyTrue", "allFalse", "anyFalse":
            let wanted = name == "allTrue" || name == "anyTrue"
            let matches = try focus.map { item throws(FHIRPathError) in
                guard case .boolean(let flag) = item.systemValue else {
                    throw .evaluation("\(name)() needs Booleans, got \(item.typeName)")
                }
                return flag == wanted
            }
            return [.boolean(name.hasPrefix("all") ? !matches.contains(false) : matches.contains(true))]
        case "subsetOf", "supersetOf":
            let other = try argument(0)
            let (subset, superset) = name == "subsetOf" ? (focus, other) : (other, focus)
            return [.boolean(subset.allSatisfy { FHIRPathEquality.contains(superset, $0) })]
        case "count": return [.integer(focus.count)]
        case "distinct": return FHIRPathEquality.distinct(focus)
        case "isDistinct": return [.boolean(FHIRPathEquality.distinct(focus).count == focus.count)]
        case "where": return try self.filter(focus, arguments[0], scope)
        case "select":
            var result: [FHIRPathValue] = []
            for (offset, item) in focus.enumerated() {
                result += try self.evaluate(arguments[0], [item], self.itemScope(item, offset, scope))
            }
            return result
        case "repeat": return try self.repeatProjection(focus, arguments[0], scope)
        case "aggregate": return try self.aggregate(focus, arguments, input: input, scope: scope)
        case "ofType":
            guard let type = FHIRPathFunctionTable.typeSpecifier(arguments[0]) else { return [] }
            return focus.filter { FHIRPathTypes.isTypeOrSubtype($0, type, exactPrimitives: true) }
        case "is", "as":
            guard let item = try Self.single(focus, name), let type = FHIRPathFunctionTable.typeSpecifier(arguments[0])
            else { return [] }
            let matches = FHIRPathTypes.isTypeOrSubtype(item, type, exactPrimitives: name == "as")
            return name == "is" ? [.boolean(matches)] : (matches ? [item] : [])
        case "first": return focus.first.map { [$0] } ?? []
        case "last": return focus.last.map { [$0] } ?? []
        case "tail": return Array(focus.dropFirst())
        case "skip": return Array(focus.dropFirst(max(0, try Self.integer(try argument(0)) ?? 0)))
        case "take": return Array(focus.prefix(max(0, try Self.integer(try argument(0)) ?? 0)))
        case "single":
            guard focus.count <= 1 else { throw .evaluation("single() on \(focus.count) items") }
            return focus
        case "union": return FHIRPathEquality.distinct(focus + (try argument(0)))
        case "combine": return focus + (try argument(0))
        case "intersect":
            let other = try argument(0)
            return FHIRPathEquality.distinct(focus.filter { FHIRPathEquality.contains(other, $0) })
        case "exclude":
            let other = try argument(0)
            return focus.filter { !FHIRPathEquality.contains(other, $0) }
        case "iif":
            // The criterion and results see the invocation's input as `$this`.
            guard focus.count <= 1 else { throw .evaluation("iif() on \(focus.count) items") }
            let context = focus.isEmpty ? input : focus
            let inner = Scope(this: context, index: scope.index, total: scope.total)
            let condition = try self.evaluate(arguments[0], context, inner)
            guard condition.count <= 1 else {
                throw FHIRPathError(.semantic, "iif() criterion is not a single Boolean")
            }
            if let only = condition.first {
                guard case .boolean = only.systemValue else {
                    throw FHIRPathError(.semantic, "iif() criterion is not a Boolean")
                }
            }
            if try Self.boolean(condition) == true { return try self.evaluate(arguments[1], context, inner) }
            return arguments.count > 2 ? try self.evaluate(arguments[2], context, inner) : []
        case "not":
            return try Self.boolean(focus).map { [.boolean(!$0)] } ?? []
        case "trace":
            let label = try Self.string(try argument(0)) ?? ""
            if let trace = self.environment.trace {
                trace(label, arguments.count > 1 ? try self.selectAll(focus, arguments[1], scope) : focus)
            }
            return focus
        case "now", "today", "timeOfDay":
            return try self.clock(name)
        case "sort":
            return try self.sorted(focus, arguments, scope)
        default:
            return try self.callValueFunction(name, on: focus, arguments, argument: argument)
        }
    }

    func itemScope(_ item: FHIRPathValue, _ offset: Int, _ scope: Scope) -> Scope {
        Scope(this: [item], index: offset, total: scope.total)
    }

    /// The single item of a function's input; nil for empty, an error for several.
    static func single(_ focus: [FHIRPathValue], _ function: String) throws(FHIRPathError) -> FHIRPathValue? {
        guard focus.count <= 1 else { throw .evaluation("\(function)() needs a single item, got \(focus.count)") }
        return focus.first
    }

    private func filter(
        _ focus: [FHIRPathValue],
        _ criteria: FHIRPathNode,
        _ scope: Scope
    ) throws(FHIRPathError)
        -> [FHIRPathValue]
    {
        var result: [FHIRPathValue] = []
        for (offset, item) in focus.enumerated() {
            let verdict = try self.evaluate(criteria, [item], self.itemScope(item, offset, scope))
            if try Self.boolean(verdict) == true { result.append(item) }
        }
        return result
    }

    private func selectAll(
        _ focus: [FHIRPathValue],
        _ projection: FHIRPathNode,
        _ scope: Scope
    ) throws(FHIRPathError)
        -> [FHIRPathValue]
    {
        var result: [FHIRPathValue] = []
        for (offset, item) in focus.enumerated() {
            result += try self.evaluate(projection, [item], self.itemScope(item, offset, scope))
        }
        return result
    }

    /// `repeat(projection)`: the projection applied again to its own output until nothing new appears.
    private func repeatProjection(
        _ focus: [FHIRPathValue],
        _ projection: FHIRPathNode,
        _ scope: Scope
    )
        throws(FHIRPathError) -> [FHIRPathValue]
    {
        var result: [FHIRPathValue] = []
        var pending = focus
        while !pending.isEmpty {
            let next = try self.selectAll(pending, projection, scope)
            pending = []
            for item in next where !FHIRPathEquality.contains(result, item) {
                result.append(item)
                pending.append(item)
            }
        }
        return result
    }

    /// `aggregate(aggregator, init)`: folds the input with `$total`.
    private func aggregate(
        _ focus: [FHIRPathValue],
        _ arguments: [FHIRPathNode],
        input: [FHIRPathValue],
        scope: Scope
    ) throws(FHIRPathError) -> [FHIRPathValue] {
        var total = arguments.count > 1 ? try self.evaluate(arguments[1], input, scope) : []
        for (offset, item) in focus.enumerated() {
            total = try self.evaluate(arguments[0], [item], Scope(this: [item], index: offset, total: total))
        }
        return total
    }

    /// `sort(key, …)`: a key written as `-expr` sorts descending (FHIRPath 2.1 draft).
    private func sorted(
        _ focus: [FHIRPathValue],
        _ keys: [FHIRPathNode],
        _ scope: Scope
    ) throws(FHIRPathError)
        -> [FHIRPathValue]
    {
        let specs: [(FHIRPathNode, Bool)] =
            keys.isEmpty
            ? [(.this, false)]
            : keys.map { key in
                if case .negate(let inner) = key { return (inner, true) }
                return (key, false)
            }
        var rows: [(FHIRPathValue, [FHIRPathValue?])] = []
        for (offset, item) in focus.enumerated() {
            var values: [FHIRPathValue?] = []
            for (node, _) in specs {
                values.append(try Self.singleton(try self.evaluate(node, [item], self.itemScope(item, offset, scope))))
            }
            rows.append((item, values))
        }
        var failure: FHIRPathError?
        rows.sort { lhs, rhs in
            for (index, spec) in specs.enumerated() {
                guard let left = lhs.1[index], let right = rhs.1[index] else {
                    if (lhs.1[index] == nil) != (rhs.1[index] == nil) { return lhs.1[index] == nil }
                    continue
                }
                do {
                    if let order = try FHIRPathOperators.compare(left, right), order != 0 {
                        return spec.1 ? order > 0 : order < 0
                    }
                } catch let error as FHIRPathError {
                    failure = error
                } catch {
                    failure = .evaluation("\(error)")
                }
            }
            return false
        }
        if let failure { throw failure }
        return rows.map(\.0)
    }

    private func clock(_ name: String) throws(FHIRPathError) -> [FHIRPathValue] {
        guard var now = self.environment.now else { throw .evaluation("\(name)() needs 'now' in the environment") }
        switch name {
        case "today":
            now.precision = .day
            now.timeZoneOffset = nil
            return [.date(now)]
        case "timeOfDay":
            now.isTime = true
            now.timeZoneOffset = nil
            return [.time(now)]
        default:
            return [.dateTime(now)]
        }
    }
}
