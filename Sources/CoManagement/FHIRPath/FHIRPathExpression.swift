public import FHIRCore

/// A parsed FHIRPath expression (FHIRPath 2.0 with the FHIR R4 additions), ready to evaluate many times.
///
/// ```swift
/// let given = try FHIRPathExpression("Patient.name.where(use = 'official').given.first()")
/// let values = try given.evaluate(patient)
/// ```
/// Parsing also checks function names, argument counts and type names, so a mapping with a typo
/// fails when it is loaded rather than on the first message. Evaluation is pure: `now()` reads
/// ``FHIRPathEnvironment/now``, and `resolve()` only finds resources inside the evaluated one.
public struct FHIRPathExpression: Sendable {
    /// The text the expression was parsed from.
    public let text: String
    let root: FHIRPathNode

    /// Parses an expression.
    /// - Throws: ``FHIRPathError`` of kind `syntax` (with the offset) or `semantic` (unknown function,
    ///   wrong argument count, unknown type).
    public init(_ text: String) throws(FHIRPathError) {
        self.text = text
        self.root = try FHIRPathParser.parse(text)
        try FHIRPathFunctionTable.check(self.root)
    }

    /// Evaluates the expression with a resource as `%resource`, `%context` and the input.
    ///
    /// Indexes the resource first (linear in its size); to evaluate several expressions over one
    /// resource, build an ``ElementTree`` once and use ``evaluate(_:environment:)-(ElementRef,_)``.
    /// - Throws: ``FHIRPathError`` when evaluation fails (a collection where one item is needed,
    ///   incompatible operands, an unsupported function).
    public func evaluate(
        _ resource: Element,
        environment: FHIRPathEnvironment = .init()
    ) throws(FHIRPathError)
        -> [FHIRPathValue]
    {
        try self.evaluate(ElementTree(resource).root, environment: environment)
    }

    /// Evaluates the expression on a node of an already indexed tree.
    public func evaluate(
        _ context: ElementRef,
        environment: FHIRPathEnvironment = .init()
    ) throws(FHIRPathError)
        -> [FHIRPathValue]
    {
        let input: [FHIRPathValue] = [.element(context)]
        let resource = context.enclosingResource.map(FHIRPathValue.element) ?? input[0]
        let evaluator = FHIRPathEvaluator(environment: environment, resource: resource)
        return try evaluator.evaluate(self.root, input, FHIRPathEvaluator.Scope(this: input))
    }
}
