/// A point in time read from a FHIR `date`, `dateTime` or `instant`, for ordering and measures.
///
/// Partial dates mean their first moment (`2026-03` is 2026-03-01T00:00:00), and a dateTime without a
/// time zone is read as UTC: enough for overdue checks and turnaround hours, which is all it is used for.
public struct FHIRInstant: Sendable, Hashable, Comparable {
    /// Seconds since 1970-01-01T00:00:00Z.
    public let secondsSinceEpoch: Double

    public init(secondsSinceEpoch: Double) {
        self.secondsSinceEpoch = secondsSinceEpoch
    }

    /// Parses `YYYY`, `YYYY-MM`, `YYYY-MM-DD` or `YYYY-MM-DDThh:mm:ss(.s+)?(Z|±hh:mm)`; nil when malformed.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        func number(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[start..<start + count] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let year = number(0, 4) else { return nil }
        var month = 1
        var day = 1
        var seconds = 0.0
        if bytes.count > 4 {
            guard bytes[4] == UInt8(ascii: "-"), let parsed = number(5, 2) else { return nil }
            month = parsed
        }
        if bytes.count > 7 {
            guard bytes[7] == UInt8(ascii: "-"), let parsed = number(8, 2) else { return nil }
            day = parsed
        }
        if bytes.count > 10 {
            guard bytes[10] == UInt8(ascii: "T"), let hour = number(11, 2), let minute = number(14, 2),
                let second = number(17, 2)
            else { return nil }
            seconds = Double(hour * 3600 + minute * 60 + second)
            var index = 19
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                var scale = 0.1
                index += 1
                while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                    seconds += Double(bytes[index] - 48) * scale
                    scale /= 10
                    index += 1
                }
            }
            if index < bytes.count, bytes[index] != UInt8(ascii: "Z") {
                guard let offsetHours = number(index + 1, 2), let offsetMinutes = number(index + 4, 2) else {
                    return nil
                }
                let offset = Double(offsetHours * 3600 + offsetMinutes * 60)
                seconds -= bytes[index] == UInt8(ascii: "-") ? -offset : offset
            }
        }
        guard (1...12).contains(month), (1...31).contains(day) else { return nil }
        self.secondsSinceEpoch = Double(Self.daysFromCivil(year: year, month: month, day: day)) * 86_400 + seconds
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's `days_from_civil`).
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// Hours from this instant to a later one.
    public func hours(until later: FHIRInstant) -> Double {
        (later.secondsSinceEpoch - self.secondsSinceEpoch) / 3600
    }

    public func adding(days: Int) -> FHIRInstant {
        FHIRInstant(secondsSinceEpoch: self.secondsSinceEpoch + Double(days) * 86_400)
    }

    /// The moment a due date falls due: a bare date (`2026-04-17`) at the end of that day (UTC), a dateTime
    /// at its time; nil when malformed.
    public static func due(_ text: String) -> FHIRInstant? {
        guard let instant = FHIRInstant(text) else { return nil }
        return text.utf8.count == 10 ? instant.adding(days: 1) : instant
    }

    public static func < (lhs: FHIRInstant, rhs: FHIRInstant) -> Bool { lhs.secondsSinceEpoch < rhs.secondsSinceEpoch }
}
