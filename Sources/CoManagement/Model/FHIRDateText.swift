/// Arithmetic on FHIR `date`/`dateTime` text that keeps the sender's form: a date stays a date and a
/// dateTime keeps its time and offset, so "due 14 days after 2026-04-13" reads `2026-04-27`.
enum FHIRDateText {
    /// The text moved by whole calendar days, or nil when it does not start with `YYYY-MM-DD`.
    static func adding(days: Int, to text: String) -> String? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            let year = Int(String(decoding: bytes[0..<4], as: UTF8.self)),
            let month = Int(String(decoding: bytes[5..<7], as: UTF8.self)),
            let day = Int(String(decoding: bytes[8..<10], as: UTF8.self))
        else { return nil }
        let (y, m, d) = FHIRInstant.civil(
            fromDays: FHIRInstant.daysFromCivil(year: year, month: month, day: day) + days
        )
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))" + String(decoding: bytes[10...], as: UTF8.self)
    }

    /// Whether `later` is on or after `earlier`; when either is a bare date, by calendar date, so a
    /// period ending `2026-03-10T17:00` and one starting `2026-03-10` meet.
    static func isOnOrAfter(_ later: String, _ earlier: String) -> Bool {
        if later.utf8.count == 10 || earlier.utf8.count == 10 {
            return later.prefix(10) >= earlier.prefix(10)
        }
        guard let a = FHIRInstant(later), let b = FHIRInstant(earlier) else { return later >= earlier }
        return a >= b
    }
}
