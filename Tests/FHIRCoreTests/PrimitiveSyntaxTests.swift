import Testing

@testable import FHIRCore

@Suite struct PrimitiveSyntaxTests {
    /// (type, value, valid): one row per rule or edge of the R4 primitive grammars.
    static let cases: [(String, String, Bool)] = [
        ("boolean", "true", true), ("boolean", "false", true), ("boolean", "True", false),
        ("boolean", "1", false), ("boolean", "", false),

        ("integer", "0", true), ("integer", "-0", true), ("integer", "42", true),
        ("integer", "2147483647", true), ("integer", "-2147483648", true),
        ("integer", "2147483648", false), ("integer", "-2147483649", false),
        ("integer", "99999999999999", false),
        ("integer", "007", false), ("integer", "+1", false), ("integer", "1.0", false),
        ("integer", "", false),
        ("integer", "-", false), ("integer", " 1", false),

        ("unsignedInt", "0", true), ("unsignedInt", "2147483647", true),
        ("unsignedInt", "2147483648", false),
        ("unsignedInt", "-1", false), ("unsignedInt", "01", false),

        ("positiveInt", "1", true), ("positiveInt", "+5", true), ("positiveInt", "2147483647", true),
        ("positiveInt", "0", false), ("positiveInt", "2147483648", false), ("positiveInt", "-1", false),

        ("decimal", "0", true), ("decimal", "1.50", true), ("decimal", "-0.001", true),
        ("decimal", "6.02e23", true),
        ("decimal", "1E-7", true), ("decimal", "1e+2", true), ("decimal", "01", false),
        ("decimal", "1.", false),
        ("decimal", ".5", false), ("decimal", "+1", false), ("decimal", "1e", false),
        ("decimal", "NaN", false),
        ("decimal", "1,5", false), ("decimal", "", false),

        ("date", "2024", true), ("date", "2024-02", true), ("date", "2024-02-29", true),
        ("date", "2000-02-29", true),
        ("date", "1900-02-29", false), ("date", "2023-02-29", false), ("date", "2024-04-31", false),
        ("date", "2024-13", false), ("date", "2024-00", false), ("date", "2024-01-00", false),
        ("date", "0000", false), ("date", "24", false), ("date", "2024-1-01", false),
        ("date", "2024-01-01T10:00:00Z", false),

        ("dateTime", "2024", true), ("dateTime", "2024-05", true), ("dateTime", "2024-05-06", true),
        ("dateTime", "2024-05-06T10:20:30Z", true), ("dateTime", "2024-05-06T10:20:30.123+02:00", true),
        ("dateTime", "2024-05-06T23:59:60-14:00", true),
        ("dateTime", "2024-05-06T10:00:00+14:30", false),
        ("dateTime", "2024-05-06T23:59:60+14:00", true),
        ("dateTime", "2024-05-06T10:20:30", false), ("dateTime", "2024-05-06T10:20Z", false),
        ("dateTime", "2024-05T10:20:30Z", false), ("dateTime", "2024-05-06T24:00:00Z", false),
        ("dateTime", "2024-05-06T10:20:30+2:00", false), ("dateTime", "2024-05-06T10:20:30.Z", false),
        ("dateTime", "2024-05-06 10:20:30Z", false), ("dateTime", "2024-02-30", false),

        ("instant", "2024-05-06T10:20:30Z", true), ("instant", "2024-05-06T10:20:30.5-05:00", true),
        ("instant", "2024-05-06", false), ("instant", "2024-05-06T10:20:30", false),
        ("instant", "2024-05-06T10:20Z", false),

        ("time", "00:00:00", true), ("time", "23:59:59.999", true), ("time", "24:00:00", false),
        ("time", "12:60:00", false), ("time", "12:00", false), ("time", "12:00:00Z", false),

        ("id", "abc-123.X", true), ("id", String(repeating: "a", count: 64), true),
        ("id", String(repeating: "a", count: 65), false), ("id", "a_b", false), ("id", "a b", false),
        ("id", "", false),

        ("code", "active", true), ("code", "has one space", true), ("code", " active", false),
        ("code", "active ", false), ("code", "a  b", false), ("code", "a\t b", false),
        ("code", "", false),

        ("uri", "http://example.org/fhir", true), ("uri", "urn:x", true), ("uri", "http://a b", false),
        ("uri", "", false), ("url", "https://x.org", true), ("url", "https://x.org/\n", false),
        ("canonical", "http://hl7.org/fhir/ValueSet/x|4.0.1", true),

        ("oid", "urn:oid:2.16.840.1.113883", true), ("oid", "urn:oid:1.0", true),
        ("oid", "urn:oid:3.1", false),
        ("oid", "urn:oid:1", false), ("oid", "urn:oid:1.01", false), ("oid", "2.16.840", false),
        ("oid", "urn:oid:1.2.", false),

        ("uuid", "urn:uuid:c757873d-ec9a-4326-a141-556f43239520", true),
        ("uuid", "urn:uuid:C757873D-EC9A-4326-A141-556F43239520", false),
        ("uuid", "c757873d-ec9a-4326-a141-556f43239520", false),
        ("uuid", "urn:uuid:c757873d-ec9a-4326-a141-556f4323952", false),
        ("uuid", "urn:uuid:c757873dxec9a-4326-a141-556f43239520", false),

        ("base64Binary", "SGVsbG8=", true), ("base64Binary", "SGVs bG8h\nAA==", true),
        ("base64Binary", "a+/9", true),
        ("base64Binary", "SGVsbG8", false), ("base64Binary", "SGV=bG8=", false),
        ("base64Binary", "S===", false),
        ("base64Binary", "SGVsbG8*", false), ("base64Binary", "", false),
        ("base64Binary", "   ", false),

        ("string", "Hello", true), ("string", "line\nbreak\ttab\r", true), ("string", "Grüße", true),
        ("string", "", false), ("string", "bell\u{07}", false), ("string", "nul\u{00}", false),
        ("markdown", "# Title", true), ("markdown", "esc\u{1B}", false),
    ]

    @Test(arguments: cases)
    func primitiveValueFollowsItsTypeGrammar(type: String, value: String, valid: Bool) {
        #expect(PrimitiveSyntax.isValid(value, as: type) == valid, "\(type) '\(value)'")
    }

    @Test func stringsBeyondOneMegabyteAreInvalid() {
        let limit = PrimitiveSyntax.maxStringBytes
        #expect(PrimitiveSyntax.isValidString(String(repeating: "x", count: limit)))
        #expect(!PrimitiveSyntax.isValidString(String(repeating: "x", count: limit + 1)))
    }

    @Test(arguments: [
        ("1.50", 3), ("0.00120", 3), ("1200", 2), ("-12345678901234567891", 20), ("6.02e23", 3),
        ("0", 0),
    ])
    func significantDigitsIgnoreLeadingZerosAndExponent(value: String, digits: Int) {
        #expect(PrimitiveSyntax.significantDigits(ofDecimal: value) == digits)
    }

    @Test func typesWithoutRulesNeedOnlyAValue() {
        #expect(PrimitiveSyntax.isValid("anything", as: "SampledDataDataType"))
        #expect(!PrimitiveSyntax.isValid("", as: "SampledDataDataType"))
    }
}
