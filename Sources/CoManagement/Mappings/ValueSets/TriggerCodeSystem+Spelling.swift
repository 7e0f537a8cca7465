extension TriggerCodeSystem {
    /// Whether `code` (already ``normalised(_:)``) is spelled as this system spells codes; checked for
    /// every code a ValueSet names, so a typo is reported instead of silently matching nothing.
    ///
    /// ICD-10-CM: a letter, a digit, a digit or letter, then up to four digits or letters (`H25`,
    /// `S72.001A`); WHO ICD-10: at most one character after the category. SNOMED CT: a concept id, whose
    /// last digit is its Verhoeff check digit. CPT: four digits and a digit or letter (`66984`, `0191T`).
    /// HCPCS: a letter and four digits (`G0108`).
    public func isWellFormed(_ code: String) -> Bool {
        let characters = Array(code.utf8)
        func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }
        func isUpper(_ byte: UInt8) -> Bool { byte >= 65 && byte <= 90 }
        switch self {
        case .icd10CM, .icd10:
            let longest = self == .icd10CM ? 7 : 4
            guard characters.count >= 3, characters.count <= longest, isUpper(characters[0]), isDigit(characters[1])
            else { return false }
            return characters.dropFirst(2).allSatisfy { isDigit($0) || isUpper($0) }
        case .snomedCT:
            guard characters.count >= 6, characters.count <= 18, characters.first != UInt8(ascii: "0"),
                characters.allSatisfy(isDigit)
            else { return false }
            return Self.hasValidVerhoeffCheckDigit(characters.map { Int($0 - 48) })
        case .cpt:
            return characters.count == 5 && characters.prefix(4).allSatisfy(isDigit)
                && (isDigit(characters[4]) || isUpper(characters[4]))
        case .hcpcs:
            return characters.count == 5 && isUpper(characters[0]) && characters.dropFirst().allSatisfy(isDigit)
        }
    }

    /// The Verhoeff check SNOMED CT identifiers carry in their last digit.
    private static func hasValidVerhoeffCheckDigit(_ digits: [Int]) -> Bool {
        let multiplication: [[Int]] = [
            [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5], [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
            [3, 4, 0, 1, 2, 8, 9, 5, 6, 7], [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
            [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3], [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
            [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
        ]
        let permutation: [[Int]] = [
            [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4], [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
            [8, 9, 1, 6, 0, 4, 3, 5, 2, 7], [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
            [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
        ]
        var check = 0
        for (position, digit) in digits.reversed().enumerated() {
            check = multiplication[check][permutation[position % 8][digit]]
        }
        return check == 0
    }
}
