import Foundation

/// Every scalar kind the store's values use, with the awkward cases (escapes, non-ASCII, the extremes of
/// the integer types, fractions that print long), for the encoder's and the decoder's tests alike.
struct CodingScalars: Codable, Equatable {
    var text = "a/b \"quoted\" back\\slash\ttab\nline é 😀 \u{7}\u{1f}\u{2028}"
    var integer = -42
    var small: Int8 = .min
    var large: UInt64 = .max
    var flag = true
    var fraction = 0.1
    var whole = 100.0
    var tiny = 1e-7
    var huge = 1.2345678901234568e20
    var single: Float = 2.5
    var missing: String? = nil
    var present: String? = "here"
    var date = Date(timeIntervalSinceReferenceDate: 12.5)
}
