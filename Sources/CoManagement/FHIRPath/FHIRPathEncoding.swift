/// `encode`, `decode`, `escape`, `unescape` (FHIRPath 2.1 additions, cheap enough to carry).
enum FHIRPathEncoding {
    static func call(
        _ name: String,
        _ text: String,
        argument: (Int) throws(FHIRPathError) -> String?
    )
        throws(FHIRPathError) -> [FHIRPathValue]
    {
        guard let format = try argument(0) else { return [] }
        let result: String? =
            switch (name, format) {
            case ("encode", "base64"): base64(Array(text.utf8), url: false)
            case ("encode", "urlbase64"): base64(Array(text.utf8), url: true)
            case ("encode", "hex"): Array(text.utf8).map { hexDigit($0 >> 4) + hexDigit($0 & 15) }.joined()
            case ("decode", "base64"), ("decode", "urlbase64"):
                decodeBase64(text).map { String(decoding: $0, as: UTF8.self) }
            case ("decode", "hex"): decodeHex(text).map { String(decoding: $0, as: UTF8.self) }
            case ("escape", "html"): escapeHTML(text)
            case ("unescape", "html"): unescapeHTML(text)
            case ("escape", "json"): escapeJSON(text)
            case ("unescape", "json"): unescapeJSON(text)
            default: nil
            }
        return result.map { [.string($0)] } ?? []
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")

    private static func hexDigit(_ nibble: UInt8) -> String { String(Array("0123456789abcdef")[Int(nibble)]) }

    static func base64(_ bytes: [UInt8], url: Bool) -> String {
        var output = ""
        var index = 0
        while index < bytes.count {
            let chunk = Array(bytes[index..<min(index + 3, bytes.count)])
            let value = chunk.enumerated().reduce(0) { $0 | Int($1.element) << (16 - 8 * $1.offset) }
            for position in 0..<4 {
                if position <= chunk.count {
                    var character = alphabet[(value >> (18 - 6 * position)) & 63]
                    if url, character == "+" { character = "-" }
                    if url, character == "/" { character = "_" }
                    output.append(character)
                } else {
                    output.append("=")
                }
            }
            index += 3
        }
        return output
    }

    static func decodeBase64(_ text: String) -> [UInt8]? {
        var bits = 0
        var count = 0
        var bytes: [UInt8] = []
        for character in text where character != "=" {
            let mapped: Character = character == "-" ? "+" : character == "_" ? "/" : character
            guard let value = alphabet.firstIndex(of: mapped) else { return nil }
            bits = bits << 6 | value
            count += 6
            if count >= 8 {
                count -= 8
                bytes.append(UInt8((bits >> count) & 0xFF))
            }
        }
        return bytes
    }

    private static func decodeHex(_ text: String) -> [UInt8]? {
        let digits = Array(text)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(digits[index...index + 1]), radix: 16) else { return nil }
            bytes.append(byte)
        }
        return bytes
    }

    private static let htmlEntities: [(Character, String)] = [
        ("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\"", "&quot;"), ("'", "&#39;"),
    ]

    private static func escapeHTML(_ text: String) -> String {
        var output = ""
        for character in text {
            output += htmlEntities.first { $0.0 == character }?.1 ?? String(character)
        }
        return output
    }

    private static func unescapeHTML(_ text: String) -> String {
        var output = text
        for (character, entity) in htmlEntities.reversed() {
            output = output.replacing(entity, with: String(character))
        }
        return output
    }

    private static func escapeJSON(_ text: String) -> String {
        var output = ""
        for character in text {
            switch character {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            default: output.append(character)
            }
        }
        return output
    }

    private static func unescapeJSON(_ text: String) -> String {
        var output = ""
        var escaping = false
        for character in text {
            if escaping {
                switch character {
                case "n": output += "\n"
                case "r": output += "\r"
                case "t": output += "\t"
                default: output.append(character)
                }
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                output.append(character)
            }
        }
        return output
    }
}
