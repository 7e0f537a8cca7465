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
        case "string", "markdown": "non-empty text without control characters other than tab, CR and LF, at most 1 MB"
        default: "a non-empty value"
        }
    }

    public static func isValidBoolean(_ value: String) -> Bool {
        value == "true" || value == "false"
    }

    /// `-?([0]|([1-9][0-9]*))`, within 32 bits.
    public static func isValidInteger(_ value: String) -> Bool {
        bytes(of: value) { bytes in
            guard let first = bytes.first else { return false }
            let negative = first == .minus
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
            let start = bytes.first == .plus ? 1 : 0
            guard let magnitude = wholeNumber(bytes, from: start) else { return false }
            return magnitude >= 1 && magnitude <= 2_147_483_647
        }
    }

    /// The JSON number grammar FHIR uses for `decimal`: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    public static func isValidDecimal(_ value: String) -> Bool {
        bytes(of: value) { bytes in
            var index = 0
            if index < bytes.count, bytes[index] == .minus { index += 1 }
            let integerStart = index
            while index < bytes.count, bytes[index].isDigit { index += 1 }
            let integerDigits = index - integerStart
            guard integerDigits > 0 else { return false }
            if integerDigits > 1, bytes[integerStart] == .zero { return false }
            if index < bytes.count, bytes[index] == .dot {
                index += 1
                let fractionStart = index
                while index < bytes.count, bytes[index].isDigit { index += 1 }
                guard index > fractionStart else { return false }
            }
            if index < bytes.count, bytes[index] == .lowerE || bytes[index] == .upperE {
                index += 1
                if index < bytes.count, bytes[index] == .plus || bytes[index] == .minus { index += 1 }
                let exponentStart = index
                while index < bytes.count, bytes[index].isDigit { index += 1 }
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
                if byte == .lowerE || byte == .upperE { break }
                if byte == .dot {
                    seenDot = true
                    continue
                }
                guard byte.isDigit else { continue }
                if leading, byte == .zero { continue }
                leading = false
                digits += 1
                trailingZeros = byte == .zero ? trailingZeros + 1 : 0
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
            guard end == 10, bytes[end] == .upperT else { return false }
            return timeWithZone(bytes, from: end + 1)
        }
    }

    /// A full date and time with seconds and timezone (https://hl7.org/fhir/R4/datatypes.html#instant).
    public static func isValidInstant(_ value: String) -> Bool {
        bytes(of: value) { bytes in
            guard partialDate(bytes) == 10, bytes.count > 10, bytes[10] == .upperT else { return false }
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
            return bytes.allSatisfy { $0.isDigit || $0.isLetter || $0 == .minus || $0 == .dot }
        }
    }

    /// `[^\s]+(\s[^\s]+)*`: no leading, trailing or consecutive whitespace.
    public static func isValidCode(_ value: String) -> Bool {
        bytes(of: value) { bytes in
            guard let first = bytes.first, let last = bytes.last, !first.isSpace, !last.isSpace else { return false }
            var previousWasSpace = false
            for byte in bytes {
                let isSpace = byte.isSpace
                if isSpace, previousWasSpace { return false }
                previousWasSpace = isSpace
            }
            return true
        }
    }

    /// `\S*` and not empty: the rule for `uri`, `url` and `canonical`.
    public static func isValidURI(_ value: String) -> Bool {
        bytes(of: value) { bytes in !bytes.isEmpty && !bytes.contains { $0.isSpace } }
    }

    /// `urn:oid:[0-2](\.(0|[1-9][0-9]*))+`.
    public static func isValidOID(_ value: String) -> Bool {
        bytes(of: value) { bytes in
            let prefix: StaticString = "urn:oid:"
            guard hasPrefix(bytes, prefix), bytes.count > prefix.utf8CodeUnitCount + 2 else { return false }
            var index = prefix.utf8CodeUnitCount
            guard (UInt8(ascii: "0")...UInt8(ascii: "2")).contains(bytes[index]) else { return false }
            index += 1
            var arcs = 0
            while index < bytes.count {
                guard bytes[index] == .dot else { return false }
                index += 1
                let start = index
                while index < bytes.count, bytes[index].isDigit { index += 1 }
                guard index > start, index - start == 1 || bytes[start] != .zero else { return false }
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
                case 8, 13, 18, 23: if byte != .minus { return false }
                default: if !(byte.isDigit || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)) { return false }
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
                if byte.isSpace { continue }
                if byte == .equals {
                    padding += 1
                } else {
                    // Data after padding is not base64.
                    guard padding == 0, byte.isDigit || byte.isLetter || byte == .plus || byte == .slash else {
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

// MARK: - Scanning

extension PrimitiveSyntax {
    /// Runs `body` over the UTF-8 bytes of `value` without allocating: native strings lend their storage,
    /// small (inline) strings are copied to the stack. `String.withUTF8` would allocate for the latter.
    @inline(__always)
    static func bytes<Result>(of value: String, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        if let result = value.utf8.withContiguousStorageIfAvailable(body) { return result }
        return Array(value.utf8).withUnsafeBufferPointer(body)
    }

    static func hasPrefix(_ bytes: UnsafeBufferPointer<UInt8>, _ prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard bytes.count >= count else { return false }
        return prefix.withUTF8Buffer { prefixBytes in
            for offset in 0..<count where bytes[offset] != prefixBytes[offset] { return false }
            return true
        }
    }

    /// `0|[1-9][0-9]*` from `start` to the end, as a value; nil when malformed or beyond 11 digits.
    static func wholeNumber(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int64? {
        let count = bytes.count - start
        guard count > 0, count <= 11 else { return nil }
        if count > 1, bytes[start] == .zero { return nil }
        var result: Int64 = 0
        for index in start..<bytes.count {
            guard bytes[index].isDigit else { return nil }
            result = result * 10 + Int64(bytes[index] - .zero)
        }
        return result
    }

    /// `count` digits at `index` as a number, or nil.
    static func digits(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int, count: Int) -> Int? {
        guard index + count <= bytes.count else { return nil }
        var result = 0
        for offset in 0..<count {
            let byte = bytes[index + offset]
            guard byte.isDigit else { return nil }
            result = result * 10 + Int(byte - .zero)
        }
        return result
    }

    /// Scans `YYYY(-MM(-DD)?)?` from the start; returns where it ended (4, 7 or 10), or nil.
    static func partialDate(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let year = digits(bytes, at: 0, count: 4), year >= 1 else { return nil }
        if bytes.count == 4 || bytes[4] != .minus { return 4 }
        guard let month = digits(bytes, at: 5, count: 2), (1...12).contains(month) else { return nil }
        if bytes.count == 7 || bytes[7] != .minus { return 7 }
        guard let day = digits(bytes, at: 8, count: 2), day >= 1, day <= daysIn(month: month, year: year) else {
            return nil
        }
        return 10
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Scans `hh:mm:ss(.s+)?` from `start`; returns where it ended, or nil. Second 60 allows leap seconds.
    static func clockTime(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard let hour = digits(bytes, at: start, count: 2), hour <= 23,
            start + 2 < bytes.count, bytes[start + 2] == .colon,
            let minute = digits(bytes, at: start + 3, count: 2), minute <= 59,
            start + 5 < bytes.count, bytes[start + 5] == .colon,
            let second = digits(bytes, at: start + 6, count: 2), second <= 60
        else { return nil }
        var index = start + 8
        if index < bytes.count, bytes[index] == .dot {
            index += 1
            let fractionStart = index
            while index < bytes.count, bytes[index].isDigit { index += 1 }
            guard index > fractionStart else { return nil }
        }
        return index
    }

    /// `hh:mm:ss(.s+)?(Z|(+|-)hh:mm)` from `start` to the end; offsets up to ±14:00.
    static func timeWithZone(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Bool {
        guard let index = clockTime(bytes, from: start), index < bytes.count else { return false }
        if bytes[index] == .upperZ { return index + 1 == bytes.count }
        guard bytes[index] == .plus || bytes[index] == .minus, bytes.count == index + 6,
            let hours = digits(bytes, at: index + 1, count: 2), bytes[index + 3] == .colon,
            let minutes = digits(bytes, at: index + 4, count: 2), minutes <= 59
        else { return false }
        return hours < 14 || (hours == 14 && minutes == 0)
    }
}

// File-private so the byte names cannot clash with the readers' own helpers in this module.
fileprivate extension UInt8 {
    static let minus = UInt8(ascii: "-")
    static let plus = UInt8(ascii: "+")
    static let dot = UInt8(ascii: ".")
    static let colon = UInt8(ascii: ":")
    static let slash = UInt8(ascii: "/")
    static let equals = UInt8(ascii: "=")
    static let zero = UInt8(ascii: "0")
    static let lowerE = UInt8(ascii: "e")
    static let upperE = UInt8(ascii: "E")
    static let upperT = UInt8(ascii: "T")
    static let upperZ = UInt8(ascii: "Z")

    var isDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }
    var isLetter: Bool { (self | 0x20) >= UInt8(ascii: "a") && (self | 0x20) <= UInt8(ascii: "z") }
    /// The ASCII whitespace of `\s`: space, tab, LF, VT, FF, CR.
    var isSpace: Bool { self == 0x20 || (self >= 0x09 && self <= 0x0D) }
}
