/// A FHIRPath `Date`, `DateTime` or `Time` value with the precision it was written with.
///
/// FHIRPath keeps partial values (`@2014`, `@2014-01`, `@T10:30`) and compares them only as far as both
/// are precise (https://hl7.org/fhirpath/N1/#datetime-equality); so the fields beyond ``precision`` are
/// meaningless and ignored. For a `Time` only the time fields are used.
public struct FHIRPathDateTime: Sendable, Hashable, CustomStringConvertible {
    /// How much of the value was written; seconds and milliseconds compare as one precision.
    public enum Precision: Int, Sendable, Hashable, Comparable {
        case year, month, day, hour, minute, second, millisecond

        public static func < (lhs: Precision, rhs: Precision) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public var year = 0
    public var month = 1
    public var day = 1
    public var hour = 0
    public var minute = 0
    public var second = 0
    /// Milliseconds (the first three fractional digits of the seconds).
    public var millisecond = 0
    /// The fractional seconds digits as written, for printing them back unchanged.
    public var fraction = ""
    public var precision: Precision
    /// Offset from UTC in minutes, when a time zone was written (`Z` is 0).
    public var timeZoneOffset: Int?
    /// Whether this is a time of day only (`@T10:30`).
    public var isTime = false

    public init(precision: Precision) {
        self.precision = precision
    }

    /// Parses `YYYY(-MM(-DD)?)?` followed, for a date-time, by `T` and an optional time and time zone.
    /// - Parameter allowTime: false for a FHIR `date`, which has no time part.
    public init?(dateTime text: String, allowTime: Bool = true) {
        var scanner = DigitScanner(text)
        guard let year = scanner.number(4) else { return nil }
        self.init(precision: .year)
        self.year = year
        if scanner.skip("-") {
            guard let month = scanner.number(2), (1...12).contains(month) else { return nil }
            self.month = month
            self.precision = .month
            if scanner.skip("-") {
                guard let day = scanner.number(2), (1...31).contains(day) else { return nil }
                self.day = day
                self.precision = .day
            }
        }
        if allowTime, scanner.skip("T") {
            // `@2015T` is a DateTime with year precision; a time needs a full date before it.
            if self.precision == .day, !scanner.atEnd, !scanner.peek("Z"), !scanner.peek("+"), !scanner.peek("-") {
                guard self.readTime(&scanner) else { return nil }
            }
            guard self.readZone(&scanner) else { return nil }
        }
        guard scanner.atEnd else { return nil }
    }

    /// Parses a time of day `hh(:mm(:ss(.f+)?)?)?`, optionally starting with `T`.
    public init?(time text: String) {
        var scanner = DigitScanner(text)
        _ = scanner.skip("T")
        self.init(precision: .hour)
        self.isTime = true
        guard self.readTime(&scanner), scanner.atEnd else { return nil }
    }

    private mutating func readTime(_ scanner: inout DigitScanner) -> Bool {
        guard let hour = scanner.number(2), hour < 24 else { return false }
        self.hour = hour
        self.precision = .hour
        if scanner.skip(":") {
            guard let minute = scanner.number(2), minute < 60 else { return false }
            self.minute = minute
            self.precision = .minute
            if scanner.skip(":") {
                guard let second = scanner.number(2), second < 60 else { return false }
                self.second = second
                self.precision = .second
                if scanner.skip(".") {
                    let digits = scanner.digits()
                    guard !digits.isEmpty else { return false }
                    self.fraction = digits
                    let padded = (digits + "000").prefix(3)
                    self.millisecond = Int(padded) ?? 0
                    self.precision = .millisecond
                }
            }
        }
        return true
    }

    private mutating func readZone(_ scanner: inout DigitScanner) -> Bool {
        if scanner.skip("Z") {
            self.timeZoneOffset = 0
        } else if scanner.peek("+") || scanner.peek("-") {
            let negative = scanner.peek("-")
            _ = scanner.skip(negative ? "-" : "+")
            guard let hours = scanner.number(2), scanner.skip(":"), let minutes = scanner.number(2) else {
                return false
            }
            self.timeZoneOffset = (negative ? -1 : 1) * (hours * 60 + minutes)
        }
        return true
    }

    /// The FHIRPath spelling without the leading `@`.
    public var description: String {
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        var text = ""
        if !self.isTime {
            text = String(repeating: "0", count: max(0, 4 - String(self.year).count)) + String(self.year)
            if self.precision >= .month { text += "-" + two(self.month) }
            if self.precision >= .day { text += "-" + two(self.day) }
            if self.precision >= .hour { text += "T" }
        }
        if self.precision >= .hour { text += two(self.hour) }
        if self.precision >= .minute { text += ":" + two(self.minute) }
        if self.precision >= .second { text += ":" + two(self.second) }
        if self.precision >= .millisecond {
            text += "." + (self.fraction.isEmpty ? String(String(self.millisecond + 1000).dropFirst()) : self.fraction)
        }
        if !self.isTime, self.precision >= .hour, let offset = self.timeZoneOffset {
            if offset == 0 {
                text += "Z"
            } else {
                text += (offset < 0 ? "-" : "+") + two(abs(offset) / 60) + ":" + two(abs(offset) % 60)
            }
        }
        return text
    }
}

/// Reads fixed-width digit groups and separators from ASCII text.
struct DigitScanner {
    private let bytes: [UInt8]
    private var index = 0

    init(_ text: String) { self.bytes = Array(text.utf8) }

    var atEnd: Bool { self.index == self.bytes.count }

    func peek(_ character: Character) -> Bool {
        self.index < self.bytes.count && self.bytes[self.index] == character.asciiValue
    }

    mutating func skip(_ character: Character) -> Bool {
        guard self.peek(character) else { return false }
        self.index += 1
        return true
    }

    mutating func number(_ width: Int) -> Int? {
        guard self.index + width <= self.bytes.count else { return nil }
        var value = 0
        for byte in self.bytes[self.index..<self.index + width] {
            guard byte >= 48, byte <= 57 else { return nil }
            value = value * 10 + Int(byte - 48)
        }
        self.index += width
        return value
    }

    mutating func digits() -> String {
        let start = self.index
        while self.index < self.bytes.count, self.bytes[self.index] >= 48, self.bytes[self.index] <= 57 {
            self.index += 1
        }
        return String(decoding: self.bytes[start..<self.index], as: UTF8.self)
    }
}
