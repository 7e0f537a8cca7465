import CoManagement
public import Foundation

/// A `Retry-After` header value: a delay in seconds or an HTTP-date (RFC 9110 §10.2.3).
public enum RetryAfter: Sendable, Hashable {
    case delay(Duration)
    case date(Date)

    /// Parses `120` or an HTTP-date in any of the three forms RFC 9110 §5.6.7 requires recipients to accept
    /// (`Sun, 06 Nov 1994 08:49:37 GMT`, `Sunday, 06-Nov-94 08:49:37 GMT`, `Sun Nov  6 08:49:37 1994`).
    /// Nil when the value is neither.
    public init?(headerValue: String) {
        let text = headerValue.trimmingCharacters(in: .whitespaces)
        if !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            guard let seconds = Int64(text) else { return nil }
            self = .delay(.seconds(seconds))
        } else if let date = HTTPDate.parse(text) {
            self = .date(date)
        } else {
            return nil
        }
    }

    /// How long to wait from `now`; never negative (a date in the past means "now").
    public func delay(from now: Date) -> Duration {
        switch self {
        case .delay(let duration): return max(.zero, duration)
        case .date(let date): return .seconds(max(0, date.timeIntervalSince(now)))
        }
    }
}

/// The three HTTP-date forms, parsed by hand: no locale, no formatter state, nothing shared.
enum HTTPDate {
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    static func parse(_ text: String) -> Date? {
        // Split on spaces, commas and dashes; the weekday is ignored (it is redundant with the date).
        let words = text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "-" }).map(String.init)
        var day: Int?
        var month: Int?
        var year: Int?
        var time: (Int, Int, Int)?
        switch words.count {
        case 6 where words[5] == "GMT":  // IMF-fixdate or RFC 850: wkday, DD, Mon, YYYY|YY, time, GMT
            day = Int(words[1])
            month = self.month(words[2])
            year = Int(words[3]).map { words[3].count == 2 ? self.expandTwoDigitYear($0) : $0 }
            time = self.time(words[4])
        case 5:  // asctime: wkday Mon D time YYYY
            month = self.month(words[1])
            day = Int(words[2])
            time = self.time(words[3])
            year = Int(words[4])
        default:
            return nil
        }
        guard let day, let month, let year, let time, (1...31).contains(day), year >= 1970 else { return nil }
        let days = FHIRInstant.daysFromCivil(year: year, month: month, day: day)
        return Date(timeIntervalSince1970: Double(days * 86_400 + time.0 * 3600 + time.1 * 60 + time.2))
    }

    private static func month(_ word: String) -> Int? {
        self.months.firstIndex(of: word.lowercased()).map { $0 + 1 }
    }

    private static func time(_ word: String) -> (Int, Int, Int)? {
        let parts = word.split(separator: ":").compactMap { Int($0) }
        guard parts.count == 3, (0...23).contains(parts[0]), (0...59).contains(parts[1]), (0...60).contains(parts[2])
        else { return nil }
        return (parts[0], parts[1], parts[2])
    }

    /// RFC 9110 §5.6.7: a two-digit year more than 50 years in the future means the past century.
    /// Without a clock in hand, 70–99 is read as 19xx and 00–69 as 20xx.
    private static func expandTwoDigitYear(_ year: Int) -> Int { year >= 70 ? 1900 + year : 2000 + year }
}
