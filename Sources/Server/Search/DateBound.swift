import FHIRCore
import Foundation
import HTTPTypes

/// A date search value (`_lastUpdated`, AuditEvent's `date`): a prefix and a date whose precision makes
/// it a range (https://hl7.org/fhir/R4/search.html#date): `2026-03` is all of March. Read as the bounds a
/// matching instant must lie within: at or after ``from``, before ``before``.
struct DateBound: Sendable, Hashable {
    var from: Date?
    var before: Date?

    /// Reads `[eq|ge|gt|le|lt]date`; a date without a time zone is UTC.
    ///
    /// - Throws: ``FHIRError`` 400 naming the parameter for another prefix or a malformed date.
    init(_ value: String, parameter: String) throws(FHIRError) {
        var text = Substring(value)
        var prefix = "eq"
        if let first = text.first, first.isLetter {
            prefix = String(text.prefix(2))
            text = text.dropFirst(2)
        }
        guard let (start, end) = Self.range(String(text)) else {
            throw FHIRError(.badRequest, .value, "\(parameter): '\(value)' is not a FHIR date, dateTime or instant")
        }
        switch prefix {
        case "eq": (self.from, self.before) = (start, end)
        case "ge": (self.from, self.before) = (start, nil)
        case "gt": (self.from, self.before) = (end, nil)
        case "le": (self.from, self.before) = (nil, end)
        case "lt": (self.from, self.before) = (nil, start)
        default:
            throw FHIRError(
                .badRequest,
                .notSupported,
                "\(parameter): the prefix '\(prefix)' is not supported; use eq, ge, gt, le or lt"
            )
        }
    }

    init(from: Date?, before: Date?) {
        self.from = from
        self.before = before
    }

    /// The bounds both hold within.
    func intersection(_ other: DateBound) -> DateBound {
        DateBound(
            from: [self.from, other.from].compactMap { $0 }.max(),
            before: [self.before, other.before].compactMap { $0 }.min()
        )
    }

    /// The range a date of the given precision covers: [its first moment, the first moment after it).
    static func range(_ text: String) -> (Date, Date)? {
        let calendar = Self.calendar
        let bytes = Array(text.utf8)
        func number(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= bytes.count else { return nil }
            return Int(String(decoding: bytes[start..<start + count], as: UTF8.self))
        }
        guard bytes.count >= 4, let year = number(0, 4) else { return nil }
        var components = DateComponents(year: year, month: 1, day: 1)
        var unit: Calendar.Component = .year
        if bytes.count >= 7 {
            guard bytes[4] == UInt8(ascii: "-"), let month = number(5, 2), (1...12).contains(month) else { return nil }
            components.month = month
            unit = .month
        }
        if bytes.count >= 10 {
            guard bytes[7] == UInt8(ascii: "-"), let day = number(8, 2), (1...31).contains(day) else { return nil }
            components.day = day
            unit = .day
        }
        if bytes.count == 5 || bytes.count == 6 || bytes.count == 8 || bytes.count == 9 { return nil }
        guard bytes.count > 10 else {
            guard let start = calendar.date(from: components),
                let end = calendar.date(byAdding: unit, value: 1, to: start)
            else { return nil }
            return (start, end)
        }
        // A time: the instant parser takes seconds and a zone; minutes alone are the FHIR search form too.
        var instant = text
        var step: TimeInterval = 1
        if bytes.count == 16
            || (bytes.count > 16 && [UInt8(ascii: "Z"), UInt8(ascii: "+"), UInt8(ascii: "-")].contains(bytes[16]))
        {
            instant.insert(contentsOf: ":00", at: instant.index(instant.startIndex, offsetBy: 16))
            step = 60
        } else if bytes.count > 19, bytes[19] == UInt8(ascii: ".") {
            step = 0.001
        }
        if !(instant.hasSuffix("Z") || instant.dropFirst(19).contains("+") || instant.dropFirst(19).contains("-")) {
            instant += "Z"
        }
        guard bytes[10] == UInt8(ascii: "T"), let parsed = FHIRTime.date(instant) else { return nil }
        return (parsed, parsed.addingTimeInterval(step))
    }

    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}
