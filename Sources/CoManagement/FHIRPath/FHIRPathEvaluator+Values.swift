/// Dispatch for the functions that work on item values: strings, math, conversions and the rest.
extension FHIRPathEvaluator {
    func callValueFunction(
        _ name: String,
        on focus: [FHIRPathValue],
        _ arguments: [FHIRPathNode],
        argument: (Int) throws(FHIRPathError) -> [FHIRPathValue]
    ) throws(FHIRPathError) -> [FHIRPathValue] {
        switch name {
        case "children": return self.children(focus)
        case "descendants": return self.descendants(focus)
        case "extension":
            guard let url = try Self.string(try argument(0)) else { return [] }
            return self.extensions(focus, url: url)
        case "resolve": return self.resolve(focus)
        case "hasValue": return [.boolean(self.hasValue(focus))]
        case "getValue": return self.hasValue(focus) ? [focus[0].systemValue] : []
        case "htmlChecks": return [.boolean(true)]
        case "memberOf", "conformsTo", "comparable", "lowBoundary", "highBoundary", "precision", "type":
            throw FHIRPathError(.unsupported, "\(name)() is not supported")
        default:
            break
        }
        if let result = try FHIRPathMath.call(name, focus, argument) { return result }
        if let result = try FHIRPathConversions.call(name, focus, argument) { return result }
        if let result = try FHIRPathStrings.call(name, focus, argument) { return result }
        throw FHIRPathError(.semantic, "unknown function '\(name)'")
    }
}
