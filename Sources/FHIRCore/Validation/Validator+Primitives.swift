extension Validator.Walk {
    /// FHIR asks receivers to keep at least 18 significant digits of a decimal
    /// (https://hl7.org/fhir/R4/datatypes.html#decimal); more may be rounded downstream.
    static let decimalDigitsKeptByReceivers = 18

    /// Checks a primitive: it has a value or children, the value follows its type's grammar and, for a
    /// code with a required binding, comes from the value set. Then walks its `id` and `extension`.
    mutating func visitPrimitive(_ node: Element, definition: ElementDefinition?) {
        if let value = node.value {
            self.checkPrimitiveValue(value, of: node, definition: definition)
        } else if node.children.isEmpty {
            self.record(
                .error,
                .required,
                "Element must have a value or children; found a \(node.type) with neither value nor extension",
                at: node.location
            )
        }
        if !node.children.isEmpty, let element = self.metadata.type(named: node.type) {
            self.visitChildren(of: node, as: element)
        }
    }

    private mutating func checkPrimitiveValue(
        _ value: String,
        of node: Element,
        definition: ElementDefinition?
    ) {
        guard !value.isEmpty else {
            // https://hl7.org/fhir/R4/json.html#primitive: empty values are not allowed; omit the element or
            // keep only its extensions.
            self.record(
                .error,
                .invalid,
                "Element must have a value or children; found an empty \(node.type) value \"\"",
                at: node.location
            )
            return
        }
        guard PrimitiveSyntax.isValid(value, as: node.type) else {
            let expected = PrimitiveSyntax.expectedForm(of: node.type)
            self.record(
                .error,
                .value,
                "Invalid \(node.type) '\(Self.excerpt(Self.visible(value)))'; expected \(expected)",
                at: node.location
            )
            return
        }
        if node.type == "decimal" {
            let digits = PrimitiveSyntax.significantDigits(ofDecimal: value)
            if digits > Self.decimalDigitsKeptByReceivers {
                self.record(
                    .warning,
                    .value,
                    "Decimal '\(Self.excerpt(value))' has \(digits) significant digits; receivers need keep only "
                        + "\(Self.decimalDigitsKeptByReceivers), so it may be rounded",
                    at: node.location
                )
            }
        }
        if let valueSet = definition?.requiredValueSet,
            let codes = self.metadata.codes(ofValueSet: valueSet),
            !codes.contains(value)
        {
            let allowed = codes.sorted()
            let listed = allowed.prefix(10).joined(separator: ", ") + (allowed.count > 10 ? ", …" : "")
            self.record(
                .error,
                .codeInvalid,
                "Code '\(Self.excerpt(value))' is not in the required value set \(valueSet); expected one of \(listed)",
                at: node.location
            )
        }
    }

    /// Control characters made visible, so the message itself stays a valid FHIR string.
    static func visible(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 < 0x20 }) else { return value }
        var text = ""
        for scalar in value.unicodeScalars {
            text += scalar.value < 0x20 ? "\\u{\(String(scalar.value, radix: 16))}" : String(scalar)
        }
        return text
    }
}
