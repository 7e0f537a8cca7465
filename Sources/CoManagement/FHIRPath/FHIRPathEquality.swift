import FHIRCore

/// Equality (`=`) and equivalence (`~`) of single items (https://hl7.org/fhirpath/N1/#equality).
enum FHIRPathEquality {
    /// `=` on two items: nil when the answer is empty (dates of different precision, incomparable
    /// quantities).
    static func equal(_ lhs: FHIRPathValue, _ rhs: FHIRPathValue) -> Bool? {
        switch (lhs.systemValue, rhs.systemValue) {
        case (.element(let left), .element(let right)):
            return left == right || left.element == right.element
        case (.boolean(let left), .boolean(let right)):
            return left == right
        case (.string(let left), .string(let right)):
            return left == right
        case (.integer(let left), .integer(let right)):
            return left == right
        case (.integer, .decimal), (.decimal, .integer), (.decimal, .decimal):
            guard let left = decimal(lhs), let right = decimal(rhs) else { return false }
            return left.numericallyEquals(right)
        case (.date(let left), .date(let right)), (.dateTime(let left), .dateTime(let right)),
            (.date(let left), .dateTime(let right)), (.dateTime(let left), .date(let right)),
            (.time(let left), .time(let right)):
            return FHIRPathDateTime.compare(left, right).map { $0 == 0 }
        case (.quantity(let left), .quantity(let right)):
            guard let (a, b) = FHIRPathQuantity.commonValues(left, right) else { return nil }
            return a.numericallyEquals(b)
        default:
            return false
        }
    }

    /// `~` on two items: never empty.
    static func equivalent(_ lhs: FHIRPathValue, _ rhs: FHIRPathValue) -> Bool {
        switch (lhs.systemValue, rhs.systemValue) {
        case (.string(let left), .string(let right)):
            return normalized(left) == normalized(right)
        case (.integer, .decimal), (.decimal, .integer), (.decimal, .decimal):
            guard let left = decimal(lhs), let right = decimal(rhs) else { return false }
            return equivalentDecimals(left, right)
        case (.date(let left), .date(let right)), (.dateTime(let left), .dateTime(let right)),
            (.date(let left), .dateTime(let right)), (.dateTime(let left), .date(let right)),
            (.time(let left), .time(let right)):
            guard left.precision == right.precision || (left.precision >= .second && right.precision >= .second)
            else { return false }
            return FHIRPathDateTime.compare(left, right) == 0
        case (.quantity(let left), .quantity(let right)):
            if FHIRPathQuantity.calendarEquivalent(left, right) { return true }
            guard let (a, b) = FHIRPathQuantity.commonValues(left, right) else { return false }
            return equivalentDecimals(a, b)
        case (.element(let left), .element(let right)):
            return left == right || equivalentElements(left.element, right.element)
        default:
            return equal(lhs, rhs) ?? false
        }
    }

    /// Decimals are equivalent when equal at the precision of the less precise one.
    static func equivalentDecimals(_ lhs: FHIRDecimal, _ rhs: FHIRDecimal) -> Bool {
        let scale = min(lhs.scale, rhs.scale)
        return lhs.rounded(toScale: scale).numericallyEquals(rhs.rounded(toScale: scale))
    }

    private static func equivalentElements(_ lhs: Element, _ rhs: Element) -> Bool {
        guard lhs.name == rhs.name, lhs.children.count == rhs.children.count else { return false }
        if let left = lhs.value, let right = rhs.value, normalized(left) != normalized(right) { return false }
        if (lhs.value == nil) != (rhs.value == nil) { return false }
        return zip(lhs.children, rhs.children).allSatisfy { equivalentElements($0, $1) }
    }

    /// Case-insensitive with runs of whitespace collapsed, as string equivalence asks.
    static func normalized(_ text: String) -> String {
        text.lowercased().split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    static func decimal(_ value: FHIRPathValue) -> FHIRDecimal? {
        switch value.systemValue {
        case .integer(let integer): FHIRDecimal(integer)
        case .decimal(let decimal): decimal
        default: nil
        }
    }

    /// `=` on collections: empty when either is empty, item by item in order.
    static func equal(_ lhs: [FHIRPathValue], _ rhs: [FHIRPathValue]) -> [FHIRPathValue] {
        guard !lhs.isEmpty, !rhs.isEmpty else { return [] }
        guard lhs.count == rhs.count else { return [.boolean(false)] }
        var result = true
        for (left, right) in zip(lhs, rhs) {
            guard let same = equal(left, right) else { return [] }
            if !same { result = false }
        }
        return [.boolean(result)]
    }

    /// `~` on collections: order does not matter; two empty collections are equivalent.
    static func equivalent(_ lhs: [FHIRPathValue], _ rhs: [FHIRPathValue]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var unmatched = rhs
        for left in lhs {
            guard let index = unmatched.firstIndex(where: { equivalent(left, $0) }) else { return false }
            unmatched.remove(at: index)
        }
        return true
    }

    /// Whether the collection holds an item equal to the value (for `in`, `distinct`, `union`).
    static func contains(_ collection: [FHIRPathValue], _ value: FHIRPathValue) -> Bool {
        collection.contains { equal($0, value) == true }
    }

    /// The collection without duplicates, first occurrences kept.
    static func distinct(_ collection: [FHIRPathValue]) -> [FHIRPathValue] {
        var result: [FHIRPathValue] = []
        for item in collection where !contains(result, item) { result.append(item) }
        return result
    }
}

extension FHIRPathQuantity {
    /// `1 year ~ 1 'a'`: calendar durations are equivalent to their UCUM definite counterparts.
    static func calendarEquivalent(_ lhs: FHIRPathQuantity, _ rhs: FHIRPathQuantity) -> Bool {
        func key(_ unit: String) -> String? {
            switch unit {
            case "year", "years", "a": "a"
            case "month", "months", "mo": "mo"
            default: nil
            }
        }
        guard let left = key(lhs.unit), left == key(rhs.unit) else { return false }
        return lhs.value.numericallyEquals(rhs.value)
    }
}
