// The byte-level scanners behind ``PrimitiveSyntax``: numbers, calendar dates, clock times, timezones.

extension PrimitiveSyntax {
    /// Runs `body` over the UTF-8 bytes of `value` without allocating: native strings lend their storage,
    /// small (inline) strings are copied to the stack. `String.withUTF8` would allocate for the latter.
    @inline(__always)
    static func bytes<Result>(
        of value: String,
        _ body: (UnsafeBufferPointer<UInt8>) -> Result
    )
        -> Result
    {
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
        if count > 1, bytes[start] == Byte.zero { return nil }
        var result: Int64 = 0
        for index in start..<bytes.count {
            guard Byte.isDigit(bytes[index]) else { return nil }
            result = result * 10 + Int64(bytes[index] - Byte.zero)
        }
        return result
    }

    /// `count` digits at `index` as a number, or nil.
    static func digits(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int, count: Int) -> Int? {
        guard index + count <= bytes.count else { return nil }
        var result = 0
        for offset in 0..<count {
            let byte = bytes[index + offset]
            guard Byte.isDigit(byte) else { return nil }
            result = result * 10 + Int(byte - Byte.zero)
        }
        return result
    }

    /// Scans `YYYY(-MM(-DD)?)?` from the start; returns where it ended (4, 7 or 10), or nil.
    static func partialDate(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let year = digits(bytes, at: 0, count: 4), year >= 1 else { return nil }
        if bytes.count == 4 || bytes[4] != Byte.minus { return 4 }
        guard let month = digits(bytes, at: 5, count: 2), (1...12).contains(month) else { return nil }
        if bytes.count == 7 || bytes[7] != Byte.minus { return 7 }
        guard let day = digits(bytes, at: 8, count: 2), day >= 1,
            day <= daysIn(month: month, year: year)
        else {
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
            start + 2 < bytes.count, bytes[start + 2] == Byte.colon,
            let minute = digits(bytes, at: start + 3, count: 2), minute <= 59,
            start + 5 < bytes.count, bytes[start + 5] == Byte.colon,
            let second = digits(bytes, at: start + 6, count: 2), second <= 60
        else { return nil }
        var index = start + 8
        if index < bytes.count, bytes[index] == Byte.dot {
            index += 1
            let fractionStart = index
            while index < bytes.count, Byte.isDigit(bytes[index]) { index += 1 }
            guard index > fractionStart else { return nil }
        }
        return index
    }

    /// `hh:mm:ss(.s+)?(Z|(+|-)hh:mm)` from `start` to the end; offsets up to ±14:00.
    static func timeWithZone(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Bool {
        guard let index = clockTime(bytes, from: start), index < bytes.count else { return false }
        if bytes[index] == Byte.upperZ { return index + 1 == bytes.count }
        guard bytes[index] == Byte.plus || bytes[index] == Byte.minus, bytes.count == index + 6,
            let hours = digits(bytes, at: index + 1, count: 2), bytes[index + 3] == Byte.colon,
            let minutes = digits(bytes, at: index + 4, count: 2), minutes <= 59
        else { return false }
        return hours < 14 || (hours == 14 && minutes == 0)
    }
}

extension PrimitiveSyntax {
    /// ASCII bytes and classes the scanners use; namespaced so they cannot clash with the readers' helpers.
    enum Byte {
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

        static func isDigit(_ byte: UInt8) -> Bool {
            byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
        }
        static func isLetter(_ byte: UInt8) -> Bool {
            (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
        }
        /// The ASCII whitespace of `\s`: space, tab, LF, VT, FF, CR.
        static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) }
    }
}
