/// The string functions (https://hl7.org/fhirpath/N1/#string-manipulation), with Swift `Regex` for
/// `matches` and `replaceMatches`. Indices count Characters.
enum FHIRPathStrings {
    /// The result, or nil when `name` is not a string function.
    static func call(
        _ name: String,
        _ focus: [FHIRPathValue],
        _ argument: (Int) throws(FHIRPathError) -> [FHIRPathValue]
    ) throws(FHIRPathError) -> [FHIRPathValue]? {
        if name == "join" {
            let separator = try FHIRPathEvaluator.string(try argument(0)) ?? ""
            return [.string(focus.map(\.description).joined(separator: separator))]
        }
        guard Self.names.contains(name) else { return nil }
        guard let item = try FHIRPathEvaluator.single(focus, name) else { return [] }
        guard case .string(let text) = item.systemValue else {
            throw .evaluation("\(name)() needs a String, got \(item.typeName)")
        }
        func stringArgument(_ position: Int) throws(FHIRPathError) -> String? {
            try FHIRPathEvaluator.string(try argument(position))
        }
        switch name {
        case "indexOf":
            guard let part = try stringArgument(0) else { return [] }
            if part.isEmpty { return [.integer(0)] }
            guard let range = text.firstRange(of: part) else { return [.integer(-1)] }
            return [.integer(text.distance(from: text.startIndex, to: range.lowerBound))]
        case "substring":
            guard let start = try FHIRPathEvaluator.integer(try argument(0)) else { return [] }
            let characters = Array(text)
            guard start >= 0, start < characters.count else { return [] }
            var length = characters.count - start
            if let requested = try FHIRPathEvaluator.integer(try argument(1)) {
                length = min(max(0, requested), length)
            }
            return [.string(String(characters[start..<start + length]))]
        case "startsWith":
            return try stringArgument(0).map { [.boolean(text.hasPrefix($0))] } ?? []
        case "endsWith":
            return try stringArgument(0).map { [.boolean(text.hasSuffix($0))] } ?? []
        case "contains":
            return try stringArgument(0).map { [.boolean($0.isEmpty || text.firstRange(of: $0) != nil)] } ?? []
        case "upper": return [.string(text.uppercased())]
        case "lower": return [.string(text.lowercased())]
        case "length": return [.integer(text.count)]
        case "toChars": return text.map { .string(String($0)) }
        case "trim":
            return [.string(String(text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed()))]
        case "replace":
            guard let pattern = try stringArgument(0), let replacement = try stringArgument(1) else { return [] }
            if pattern.isEmpty {
                // Spec: an empty pattern inserts the substitution around every character.
                return [.string(replacement + text.map { String($0) + replacement }.joined())]
            }
            return [.string(text.replacing(pattern, with: replacement))]
        case "split":
            guard let separator = try stringArgument(0) else { return [] }
            guard !separator.isEmpty else { return text.map { .string(String($0)) } }
            return text.split(separator: separator, omittingEmptySubsequences: false).map { .string(String($0)) }
        case "matches", "matchesFull":
            guard let pattern = try stringArgument(0) else { return [] }
            let regex = try Self.regex(pattern)
            let matched = name == "matchesFull" ? text.wholeMatch(of: regex) != nil : text.firstMatch(of: regex) != nil
            return [.boolean(matched)]
        case "replaceMatches":
            guard let pattern = try stringArgument(0), let substitution = try stringArgument(1) else { return [] }
            if pattern.isEmpty { return [.string(text)] }
            let regex = try Self.regex(pattern)
            return [.string(text.replacing(regex) { match in Self.substitute(substitution, match) })]
        default:
            return try FHIRPathEncoding.call(name, text, argument: stringArgument)
        }
    }

    private static let names: Set<String> = [
        "indexOf", "substring", "startsWith", "endsWith", "contains", "upper", "lower", "length", "toChars", "trim",
        "replace", "split", "matches", "matchesFull", "replaceMatches", "encode", "decode", "escape", "unescape",
    ]

    private static func regex(_ pattern: String) throws(FHIRPathError) -> Regex<AnyRegexOutput> {
        do {
            return try Regex(pattern).dotMatchesNewlines()
        } catch {
            throw .evaluation("invalid regular expression '\(pattern)'")
        }
    }

    /// Expands `$1`…`$9` in a replaceMatches substitution with the match's groups.
    private static func substitute(_ template: String, _ match: Regex<AnyRegexOutput>.Match) -> String {
        var result = ""
        var characters = template[...]
        while let character = characters.first {
            characters = characters.dropFirst()
            if character == "$", let digit = characters.first?.wholeNumberValue, digit < match.output.count {
                characters = characters.dropFirst()
                result += match.output[digit].substring.map(String.init) ?? ""
            } else {
                result.append(character)
            }
        }
        return result
    }
}
