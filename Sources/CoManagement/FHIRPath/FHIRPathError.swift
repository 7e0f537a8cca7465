/// Why an expression could not be parsed or evaluated.
///
/// Parsing reports ``Kind-swift.enum/syntax`` with the offset of the offending character; checks made
/// before evaluation (unknown function, wrong number of arguments) report ``Kind-swift.enum/semantic``;
/// evaluation reports ``Kind-swift.enum/evaluation`` (for example a collection where a single item was
/// required, https://hl7.org/fhirpath/N1/#singleton-evaluation-of-collections).
public struct FHIRPathError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        case syntax
        case semantic
        case evaluation
        /// A feature this engine does not implement (`memberOf`, `conformsTo`).
        case unsupported
    }

    public let kind: Kind
    public let message: String
    /// Offset in characters into the expression text, when known.
    public let position: Int?

    public init(_ kind: Kind, _ message: String, at position: Int? = nil) {
        self.kind = kind
        self.message = message
        self.position = position
    }

    public var description: String {
        if let position = self.position { return "\(self.kind.rawValue) error at \(position): \(self.message)" }
        return "\(self.kind.rawValue) error: \(self.message)"
    }

    static func syntax(_ message: String, at position: Int) -> FHIRPathError {
        FHIRPathError(.syntax, message, at: position)
    }

    static func evaluation(_ message: String) -> FHIRPathError {
        FHIRPathError(.evaluation, message)
    }
}
