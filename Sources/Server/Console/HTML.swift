/// Markup the console may send: built only from literals in our own source and text it escaped.
///
/// Interpolating a `String` escapes it (`&`, `<`, `>`, `"`, `'`), so text from a message, a partner or a
/// configuration file can never become markup; interpolating ``HTML`` inserts markup already made safe.
/// Attributes are always written in double quotes, where the escaped text cannot end them.
public struct HTML: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringInterpolation {
    public private(set) var markup: String

    /// A literal from the source: trusted as markup.
    public init(stringLiteral literal: String) {
        self.markup = literal
    }

    public init(stringInterpolation: StringInterpolation) {
        self.markup = stringInterpolation.markup
    }

    /// Markup that is already safe; only for markup this type produced.
    init(trusted markup: String) {
        self.markup = markup
    }

    public var description: String { self.markup }

    /// Nothing.
    public static let empty = HTML(trusted: "")

    public struct StringInterpolation: StringInterpolationProtocol {
        var markup = ""

        public init(literalCapacity: Int, interpolationCount: Int) {
            self.markup.reserveCapacity(literalCapacity + interpolationCount * 16)
        }

        public mutating func appendLiteral(_ literal: String) {
            self.markup += literal
        }

        /// Text, escaped.
        public mutating func appendInterpolation(_ text: String) {
            self.markup += HTML.escape(text)
        }

        /// Text, escaped; nothing for nil.
        public mutating func appendInterpolation(_ text: String?) {
            if let text { self.markup += HTML.escape(text) }
        }

        public mutating func appendInterpolation(_ number: Int) {
            self.markup += String(number)
        }

        public mutating func appendInterpolation(_ number: Int64) {
            self.markup += String(number)
        }

        /// Markup made safe already.
        public mutating func appendInterpolation(_ html: HTML) {
            self.markup += html.markup
        }

        /// Pieces of markup, one after the other.
        public mutating func appendInterpolation(_ pieces: [HTML]) {
            for piece in pieces { self.markup += piece.markup }
        }

        /// A path segment or query value: percent-encoded, then escaped for the attribute.
        public mutating func appendInterpolation(component text: String) {
            self.markup += HTML.escape(HTML.percentEncoded(text))
        }
    }

    /// `text` with the five characters that could start or end markup or an attribute replaced.
    public static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            case "\0": escaped += "\u{FFFD}"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    /// `text` percent-encoded for a URL path segment or query value (RFC 3986 unreserved kept).
    public static func percentEncoded(_ text: String) -> String {
        var encoded = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                encoded.unicodeScalars.append(UnicodeScalar(byte))
            default:
                encoded +=
                    "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 15, radix: 16, uppercase: true)
            }
        }
        return encoded
    }

    /// The pieces joined by `separator`.
    public static func join(_ pieces: [HTML], separator: HTML = .empty) -> HTML {
        HTML(trusted: pieces.map(\.markup).joined(separator: separator.markup))
    }
}
