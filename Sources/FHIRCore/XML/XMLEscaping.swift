/// Escaping for XML text and attribute values, appended straight into a byte buffer.
///
/// Attribute values escape tab, line feed and carriage return as character references so that attribute
/// value normalisation (XML 1.0 §3.3.3) does not turn them into spaces when the document is read back.
enum XMLEscaping {
    static func appendText(_ text: UnsafeBufferPointer<UInt8>, to bytes: inout [UInt8]) {
        var runStart = 0
        for index in 0..<text.count {
            let replacement: StaticString
            switch text[index] {
            case UInt8(ascii: "&"): replacement = "&amp;"
            case UInt8(ascii: "<"): replacement = "&lt;"
            case UInt8(ascii: ">"): replacement = "&gt;"
            case UInt8(ascii: "\r"): replacement = "&#13;"
            default: continue
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[runStart..<index]))
            Self.append(replacement, to: &bytes)
            runStart = index + 1
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[runStart..<text.count]))
    }

    static func appendAttribute(_ text: UnsafeBufferPointer<UInt8>, to bytes: inout [UInt8]) {
        var runStart = 0
        for index in 0..<text.count {
            let replacement: StaticString
            switch text[index] {
            case UInt8(ascii: "&"): replacement = "&amp;"
            case UInt8(ascii: "<"): replacement = "&lt;"
            case UInt8(ascii: "\""): replacement = "&quot;"
            case UInt8(ascii: "\n"): replacement = "&#10;"
            case UInt8(ascii: "\r"): replacement = "&#13;"
            case UInt8(ascii: "\t"): replacement = "&#9;"
            default: continue
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[runStart..<index]))
            Self.append(replacement, to: &bytes)
            runStart = index + 1
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[runStart..<text.count]))
    }

    static func appendAttribute(_ text: String, to bytes: inout [UInt8]) {
        var text = text
        text.withUTF8 { Self.appendAttribute($0, to: &bytes) }
    }

    static func append(_ text: StaticString, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
}
