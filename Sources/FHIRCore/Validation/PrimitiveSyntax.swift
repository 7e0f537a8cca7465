/// The lexical rules of the FHIR R4 primitive types, hand-written over UTF-8 bytes so that validation on
/// the ingest path needs no regular expressions and no allocation.
///
/// Each function follows the `regex` of its type in https://hl7.org/fhir/R4/datatypes.html#primitive,
/// with the value-range and calendar rules the regexes cannot express. The empty string is never valid:
/// FHIR forbids empty primitive values (https://hl7.org/fhir/R4/json.html#primitive).
public enum PrimitiveSyntax {
    /// The most UTF-8 bytes a `string` or `markdown` may have (https://hl7.org/fhir/R4/datatypes.html#string).
    public static let maxStringBytes = 1024 * 1024

    /// Whether `value` is valid for the named primitive type; types without lexical rules are valid.
    public static func isValid(_ value: String, as type: String) -> Bool {
        switch type {
        case "boolean": isValidBoolean(value)
        case "integer": isValidInteger(value)
        case "unsignedInt": isValidUnsignedInt(value)
        case "positiveInt": isValidPositiveInt(value)
        case "decimal": isValidDecimal(value)
        case "date": isValidDate(value)
        case "dateTime": isValidDateTime(value)
        case "instant": isValidInstant(value)
        case "time": isValidTime(value)
        case "id": isValidID(value)
        case "code": isValidCode(value)
        case "uri", "url", "canonical": isValidURI(value)
        case "oid": isValidOID(value)
        case "uuid": isValidUUID(value)
        case "base64Binary": isValidBase64Binary(value)
        case "string", "markdown": isValidString(value)
        default: !value.isEmpty
        }
    }

    /// A short description of the expected form, for messages.
    public static func expectedForm(of type: String) -> String {
        switch type {
        case "boolean": "true or false"
        case "integer": "a whole number from -2147483648 to 2147483647 without leading zeros"
        case "unsignedInt": "a whole number from 0 to 2147483647 without leading zeros"
        case "positiveInt": "a whole number from 1 to 2147483647 without leading zeros"
        case "decimal": "a decimal number such as -1.50 or 6.02e23"
        case "date": "YYYY, YYYY-MM or YYYY-MM-DD with a real calendar day"
        case "dateTime": "YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss(.s)+zz:zz with a timezone"
        case "instant": "YYYY-MM-DDThh:mm:ss(.s)+zz:zz or Z, with seconds and timezone"
        case "time": "hh:mm:ss(.s) with hours 00-23"
        case "id": "1 to 64 of A-Z, a-z, 0-9, '-' and '.'"
        case "code": "non-empty text without leading, trailing or repeated whitespace"
        case "uri", "url", "canonical": "a non-empty URI without whitespace"
        case "oid": "urn:oid: followed by a dotted OID such as 2.16.840.1"
        case "uuid": "urn:uuid: followed by a lowercase 8-4-4-4-12 hexadecimal UUID"
        case "base64Binary": "base64 (A-Z, a-z, 0-9, '+', '/', '=' padding, length a multiple of 4)"
        case "string", "markdown":
            "non-empty text without control characters other than tab, CR and LF, at most 1 MB"
        default: "a non-empty value"
        }
    }

    /// `true` or `false`, lowercase.
    public static func isValidBoolean(_ value: String) -> Bool {
        value == "true" || value == "false"
    }

    /// `-?([0]|([1-9][0-9]*))`, within 32 bits.
    public static func isValidInteger(_ value: String) -> Bool {
        bytes(of: value) { bytes in
            guard let first = bytes.first else { return false }
            let negative = first == Byte.minus
            guard let magnitude = wholeNumber(bytes, from: negative ? 1 : 0) else { return false }
            return magnitude <= (negative ? 2_147_483_648 : 2_147_483_647)
        }
    }

    /// `[0]|([1-9][0-9]*)`, at most 2147483647.
    public static func isValidUnsignedInt(_ value: String) -> Bool {
        bytes(of: value) { bytes in
            guard let magnitude = wholeNumber(bytes, from: 0) else { return false }
            return magnitude <= 2_147_483_647
        }
    }

    /// `+?[1-9][0-9]*`, at most 2147483647.
    public static func isValidPositiveInt(_ value: String) -> Bool {
        bytes(of: value) { bytes in
            let start = bytes.first == Byte.plus ? 1 : 0
            guard let magnitude = wholeNumber(bytes, from: start) else { return false }
            return magnitude >= 1 && magnitude <= 2_147_483_647
        }
    }

    /// The JSON number grammar FHIR uses for `decimal`: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    public static func isValidDecimal(_ value: String) -> Bool {
        bytes(of: value) { bytes in
            var index = 0
            if index < bytes.count, bytes[index] == Byte.minus { index += 1 }
            let integerStart = index
            while index < bytes.count, Byte.isDigit(bytes[index]) { index += 1 }
            let integerDigits = index - integerStart
            guard integerDigits > 0 else { return false }
            if integerDigits > 1, bytes[integerStart] == Byte.zero { return false }
            if index < bytes.count, bytes[index] == Byte.dot {
                index += 1
                let fractionStart = index
                while index < bytes.count, Byte.isDigit(bytes[index]) { index += 1 }
                guard index > fractionStart else { return false }
            }
            if index < bytes.count, bytes[index] == Byte.lowerE || bytes[index] == Byte.upperE {
                index += 1
                if index < bytes.count, bytes[index] == Byte.plus || bytes[index] == Byte.minus {
                    index += 1
                }
                let exponentStart = index
                while index < bytes.count, Byte.isDigit(bytes[index]) { index += 1 }
                guard index > exponentStart else { return false }
            }
            return index == bytes.count
        }
    }

    /// The number of significant digits of a valid decimal (`0.00120` has 3); FHIR asks receivers to keep
    /// at least 18 (https://hl7.org/fhir/R4/datatypes.html#decimal), so more may be silently rounded.
    public static func significantDigits(ofDecimal value: String) -> Int {
        bytes(of: value) { bytes in
            var digits = 0
            var leading = true
            var trailingZeros = 0
            var seenDot = false
            for byte in bytes {
                if byte == Byte.lowerE || byte == Byte.upperE { break }
                if byte == Byte.dot {
                    seenDot = true
                    continue
                }
                guard Byte.isDigit(byte) else { continue }
                if leading, byte == Byte.zero { continue }
                leading = false
                digits += 1
                trailingZeros = byte == Byte.zero ? trailingZeros + 1 : 0
            }
            // Trailing zeros of a whole number (`1200`) are not significant; after a dot (`1.50`) they are.
            return seenDot ? digits : digits - trailingZeros
        }
    }

    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, year 0001–9999, with a day that exists in that month.
    public static func isValidDate(_ value: String) -> Bool {
        bytes(of: value) { bytes in partialDate(bytes) == bytes.count }
    }

    /// A partial date, or a full date with `Thh:mm:ss(.s+)?` and a mandatory timezone.
    public static func isValidDateTime(_ value: String) -> Bool {
        bytes(of: value) { bytes in
            guard let end = partialDate(bytes) else { return false }
            if end == bytes.count { return true }
            // A time is allowed only after a full date (10 bytes) and must carry seconds and a timezone.
            guard end == 10, bytes[end] == Byte.upperT else { return false }
            return timeWithZone(bytes, from: end + 1)
        }
    }

    /// A full date and time with seconds and timezone (https://hl7.org/fhir/R4/datatypes.html#instant).
    public static func isValidInstant(_ value: String) -> Bool {
        bytes(of: value) { bytes in
            guard partialDate(bytes) == 10, bytes.count > 10, bytes[10] == Byte.upperT else {
                return false
            }
            return timeWithZone(bytes, from: 11)
        }
    }

    /// `hh:mm:ss(.s+)?` with hours 00–23, no timezone.
    public static func isValidTime(_ value: String) -> Bool {
        bytes(of: value) { bytes in clockTime(bytes, from: 0) == bytes.count }
    }

    /// `[A-Za-z0-9\-\.]{1,64}`.
    public static func isValidID(_ value: String) -> Bool {
        bytes(of: value) { bytes in
            guard (1...64).contains(bytes.count) else { return false }
            return bytes.allSatisfy {
                Byte.isDigit($0) || Byte.isLetter($0) || $0 == Byte.minus || $0 == Byte.dot
            }
        }
    }

    /// `[^\s]+(\s[^\s]+)*`: no leading, trailing or consecutive whitespace.
    public static func isValidCode(_ value: String) -> Bool {
        bytes(of: value) { bytes in
            guard let first = bytes.first, let last = bytes.last, !Byte.isSpace(first),
                !Byte.isSpace(last)
            else { return false }
            var previousWasSpace = false
            for byte in bytes {
                let isSpace = Byte.isSpace(byte)
                if isSpace, previousWasSpace { return false }
                previousWasSpace = isSpace
            }
            return true
        }
    }

    /// `\S*` and not empty: the rule for `uri`, `url` and `canonical`.
    public static func isValidURI(_ value: String) -> Bool {
        bytes(of: value) { bytes in !bytes.isEmpty && !bytes.contains { Byte.isSpace($0) } }
    }

    /// `urn:oid:[0-2](\.(0|[1-9][0-9]*))+`.
    public static func isValidOID(_ value: String) -> Bool {
        bytes(of: value) { bytes in
            let prefix: StaticString = "urn:oid:"
            guard hasPrefix(bytes, prefix), bytes.count > prefix.utf8CodeUnitCount + 2 else {
                return false
            }
            var index = prefix.utf8CodeUnitCount
            guard (UInt8(ascii: "0")...UInt8(ascii: "2")).contains(bytes[index]) else { return false }
            index += 1
            var arcs = 0
            while index < bytes.count {
                guard bytes[index] == Byte.dot else { return false }
                index += 1
                let start = index
                while index < bytes.count, Byte.isDigit(bytes[index]) { index += 1 }
                guard index > start, index - start == 1 || bytes[start] != Byte.zero else { return false }
                arcs += 1
            }
            return arcs > 0
        }
    }

    /// `urn:uuid:` and a lowercase `8-4-4-4-12` hexadecimal UUID.
    public static func isValidUUID(_ value: String) -> Bool {
        bytes(of: value) { bytes in
            let prefix: StaticString = "urn:uuid:"
            let start = prefix.utf8CodeUnitCount
            guard hasPrefix(bytes, prefix), bytes.count == start + 36 else { return false }
            for offset in 0..<36 {
                let byte = bytes[start + offset]
                switch offset {
                case 8, 13, 18, 23: if byte != Byte.minus { return false }
                default:
                    if !(Byte.isDigit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)) {
                        return false
                    }
                }
            }
            return true
        }
    }

    /// Base64 with `=` padding; whitespace between characters is tolerated, as the R4 regex
    /// `(\s*([0-9a-zA-Z\+\=]){4}\s*)+` allows (its missing `/` is a known erratum).
    public static func isValidBase64Binary(_ value: String) -> Bool {
        bytes(of: value) { bytes in
            var count = 0
            var padding = 0
            for byte in bytes {
                if Byte.isSpace(byte) { continue }
                if byte == Byte.equals {
                    padding += 1
                } else {
                    // Data after padding is not base64.
                    guard padding == 0,
                        Byte.isDigit(byte) || Byte.isLetter(byte) || byte == Byte.plus || byte == Byte.slash
                    else {
                        return false
                    }
                }
                count += 1
            }
            return count > 0 && count % 4 == 0 && padding <= 2
        }
    }

    /// Not empty, at most ``maxStringBytes``, and no control characters other than tab, CR and LF
    /// (https://hl7.org/fhir/R4/datatypes.html#string: `[ \r\n\t\S]+`).
    public static func isValidString(_ value: String) -> Bool {
        bytes(of: value) { bytes in
            guard !bytes.isEmpty, bytes.count <= maxStringBytes else { return false }
            for byte in bytes where byte < 0x20 {
                if byte != 0x09, byte != 0x0A, byte != 0x0D { return false }
            }
            return true
        }
    }
}
