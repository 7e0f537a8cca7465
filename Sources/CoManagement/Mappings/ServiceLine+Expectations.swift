import FHIRCore
import Foundation

extension ServiceLine {
    /// `expectations`: `acceptanceWithinHours` and `acknowledgementWithinDays` (whole numbers from 1) and
    /// `timeZone` (an IANA name this machine's time zone database knows); every field optional.
    static func readExpectations(_ value: JSONValue, _ reader: inout MappingReader) -> Expectations {
        var expectations = Expectations()
        guard var fields = reader.object(value, "'expectations'") else { return expectations }
        func positive(_ key: String, _ reader: inout MappingReader) -> Int? {
            guard let item = fields.optional(key), let number = reader.integer(item, "'\(key)'") else { return nil }
            guard number >= 1 else {
                reader.error("'\(key)' must be at least 1, found \(number)", at: item.location)
                return nil
            }
            return number
        }
        expectations.acceptanceWithinHours = positive("acceptanceWithinHours", &reader)
        expectations.acknowledgementWithinDays = positive("acknowledgementWithinDays", &reader)
        if let item = fields.optional("timeZone"), let name = reader.string(item, "'timeZone'") {
            if TimeZone(identifier: name) == nil {
                reader.error("'timeZone' names no known time zone: '\(name)' (use an IANA name)", at: item.location)
            } else {
                expectations.timeZone = name
            }
        }
        fields.finish(&reader)
        return expectations
    }
}
