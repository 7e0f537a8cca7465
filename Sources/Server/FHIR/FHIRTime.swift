import CoManagement
import Foundation

/// The two ways the gateway writes times: FHIR `instant` and the HTTP date of `Last-Modified`.
enum FHIRTime {
    /// `2026-03-01T09:30:00.123Z`.
    static func instant(_ date: Date) -> String {
        let parts = self.parts(of: date)
        let milliseconds = Int((date.timeIntervalSince1970 * 1000).rounded()) % 1000
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
            parts.year,
            parts.month,
            parts.day,
            parts.hour,
            parts.minute,
            parts.second,
            (milliseconds + 1000) % 1000
        )
    }

    /// `Sun, 01 Mar 2026 09:30:00 GMT` (RFC 9110 §5.6.7).
    static func httpDate(_ date: Date) -> String {
        let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let parts = self.parts(of: date)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(weekdays[parts.weekday]), \(two(parts.day)) \(months[parts.month - 1]) \(parts.year) "
            + "\(two(parts.hour)):\(two(parts.minute)):\(two(parts.second)) GMT"
    }

    /// A FHIR `instant` (or `dateTime` with seconds and a zone) as a date; nil when malformed.
    static func date(_ instant: String) -> Date? {
        FHIRInstant(instant).map { Date(timeIntervalSince1970: $0.secondsSinceEpoch) }
    }

    /// An HTTP date (`If-Modified-Since`; RFC 9110 §5.6.7, the IMF-fixdate form); nil for any other.
    static func date(httpDate text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.date(from: text.trimmingCharacters(in: .whitespaces))
    }

    private static func parts(
        of date: Date
    ) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, weekday: Int) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        return (
            components.year ?? 1970, components.month ?? 1, components.day ?? 1, components.hour ?? 0,
            components.minute ?? 0, components.second ?? 0, (components.weekday ?? 1) - 1
        )
    }
}
