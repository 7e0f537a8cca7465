import Foundation

/// Deadlines from a trigger time, written as FHIR dateTimes the way a person on the sender's side reads
/// them: hours keep the trigger's offset; days are counted in a time zone and end at local midnight.
public enum DueTime {
    /// `hours` after `text`, written with the offset `text` carries (UTC for a bare date or no offset); nil
    /// when `text` is not a FHIR date or dateTime.
    public static func adding(hours: Int, to text: String) -> String? {
        guard let start = FHIRInstant(text) else { return nil }
        let offset = self.offsetSeconds(of: text) ?? 0
        return self.text(FHIRInstant(secondsSinceEpoch: start.secondsSinceEpoch + Double(hours) * 3600), offset: offset)
    }

    /// The end of the `days`-th day after the trigger's local date (local midnight starting the next day),
    /// counted in `zone` (an IANA name), else in the offset `text` carries, else in `fallbackOffset`
    /// (seconds east of UTC), else in UTC; written with that zone's offset at the due time.
    public static func endOfDay(days: Int, after text: String, zone: String?, fallbackOffset: Int?) -> String? {
        guard let start = FHIRInstant(text) else { return nil }
        let timeZone = zone.flatMap(TimeZone.init(identifier:))
        func offset(at instant: FHIRInstant) -> Int {
            if let timeZone {
                return timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: instant.secondsSinceEpoch))
            }
            return self.offsetSeconds(of: text) ?? fallbackOffset ?? 0
        }
        // A bare date is already the local date; a dateTime is moved into the zone first.
        let localDays: Int
        if text.utf8.count == 10 {
            localDays = Int((start.secondsSinceEpoch / 86_400).rounded(.down))
        } else {
            let local = start.secondsSinceEpoch + Double(offset(at: start))
            localDays = Int((local / 86_400).rounded(.down))
        }
        let midnight = Double(localDays + days + 1) * 86_400
        // The zone's offset at local midnight: guessed from the offset at the same wall time read as UTC.
        var dueOffset = offset(at: FHIRInstant(secondsSinceEpoch: midnight))
        dueOffset = offset(at: FHIRInstant(secondsSinceEpoch: midnight - Double(dueOffset)))
        return self.text(FHIRInstant(secondsSinceEpoch: midnight - Double(dueOffset)), offset: dueOffset)
    }

    /// The offset (seconds east of UTC) a dateTime text carries; nil for a date or a dateTime without one.
    public static func offsetSeconds(of text: String) -> Int? {
        let bytes = Array(text.utf8)
        guard bytes.count > 19 else { return nil }
        if bytes.last == UInt8(ascii: "Z") { return 0 }
        guard bytes.count >= 25 else { return nil }
        let sign = bytes[bytes.count - 6]
        guard sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"),
            let hours = Int(String(decoding: bytes[(bytes.count - 5)..<(bytes.count - 3)], as: UTF8.self)),
            let minutes = Int(String(decoding: bytes[(bytes.count - 2)...], as: UTF8.self))
        else { return nil }
        let seconds = hours * 3600 + minutes * 60
        return sign == UInt8(ascii: "-") ? -seconds : seconds
    }

    /// `instant` as `YYYY-MM-DDThh:mm:ss±hh:mm` in the given offset (`Z` for 0).
    static func text(_ instant: FHIRInstant, offset: Int) -> String {
        let utc = FHIRInstant(secondsSinceEpoch: instant.secondsSinceEpoch + Double(offset)).fhirText
        guard offset != 0 else { return utc }
        let magnitude = abs(offset)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return String(utc.dropLast()) + (offset < 0 ? "-" : "+") + two(magnitude / 3600) + ":"
            + two(magnitude / 60 % 60)
    }
}
