/// The rules for the narrative `div` (https://hl7.org/fhir/R4/narrative.html#xhtml): an XHTML `div` in
/// the XHTML namespace, with no active content.
///
/// This is a pure byte scanner, not an XML parser: it finds what is forbidden anywhere in the markup,
/// including inside comments and attribute values, which errs on the side of rejecting. The integrator may
/// add a libxml2 parse for well-formedness behind the same seam.
public enum NarrativeRules {
    /// Elements the narrative must not contain: scripts, frames, plug-ins, forms, and head-only elements
    /// (txt-1 and https://hl7.org/fhir/R4/security.html#narrative).
    static let forbiddenElements = [
        "script", "iframe", "object", "embed", "form", "base", "link", "meta", "style",
    ]

    /// The issues with one narrative `div`.
    ///
    /// - Parameters:
    ///   - markup: The `div` element's XHTML as the reader kept it.
    ///   - path: Where the `div` is; turned into a string only when there is an issue.
    ///   - location: Where the `div` started in the input.
    /// - Returns: Errors with code `value` for a missing `div` or namespace and `security` for active content.
    public static func issues(
        markup: String,
        path: ElementPath,
        at location: SourceLocation
    )
        -> [Issue]
    {
        var issues: [Issue] = []
        func record(_ code: Issue.Code, _ message: String) {
            issues.append(Issue(.error, code, path: path.description, message, at: location))
        }
        PrimitiveSyntax.bytes(of: markup) { bytes in
            var start = 0
            while start < bytes.count, isSpace(bytes[start]) { start += 1 }
            if !matches(bytes, at: start, "<div")
                || (start + 4 < bytes.count && isNameByte(bytes[start + 4]))
            {
                record(
                    .value,
                    "Narrative must be a <div> element; found markup starting with something else"
                )
            }
            if !contains(bytes, #"xmlns="http://www.w3.org/1999/xhtml""#)
                && !contains(bytes, "xmlns='http://www.w3.org/1999/xhtml'")
            {
                record(
                    .value,
                    "Narrative <div> must declare xmlns=\"http://www.w3.org/1999/xhtml\"; the namespace is missing"
                )
            }
            for name in forbiddenElementsFound(bytes) {
                record(
                    .security,
                    "Narrative must not contain <\(name)> (active or head content); found <\(name)"
                )
            }
            if let attribute = eventAttribute(bytes) {
                record(
                    .security,
                    "Narrative must not contain event handler attributes; found \(attribute)="
                )
            }
            if contains(bytes, "javascript:") {
                record(.security, "Narrative must not contain javascript: URLs; found javascript:")
            }
        }
        return issues
    }

    // MARK: - Scanning (ASCII case-insensitive)

    private static func lower(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        let lowered = lower(byte)
        return (lowered >= UInt8(ascii: "a") && lowered <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
            || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "_")
    }

    /// Whether `needle` (lowercase ASCII) occurs at `index`, ignoring ASCII case.
    private static func matches(
        _ bytes: UnsafeBufferPointer<UInt8>,
        at index: Int,
        _ needle: String
    )
        -> Bool
    {
        var position = index
        for byte in needle.utf8 {
            guard position < bytes.count, lower(bytes[position]) == byte else { return false }
            position += 1
        }
        return true
    }

    private static func contains(_ bytes: UnsafeBufferPointer<UInt8>, _ needle: String) -> Bool {
        guard let first = needle.utf8.first else { return true }
        var index = 0
        while index < bytes.count {
            if lower(bytes[index]) == first, matches(bytes, at: index, needle) { return true }
            index += 1
        }
        return false
    }

    /// The forbidden elements that occur as tag names (`<script`, `</x:style`), in list order, found in
    /// one pass over the markup.
    private static func forbiddenElementsFound(_ bytes: UnsafeBufferPointer<UInt8>) -> [String] {
        var found = [Bool](repeating: false, count: forbiddenElements.count)
        var anyFound = false
        var index = 0
        while index < bytes.count {
            defer { index += 1 }
            guard bytes[index] == UInt8(ascii: "<") else { continue }
            var nameStart = index + 1
            // Skip a namespace prefix such as `h:`.
            var cursor = nameStart
            while cursor < bytes.count, isNameByte(bytes[cursor]), bytes[cursor] != UInt8(ascii: ":") {
                cursor += 1
            }
            if cursor < bytes.count, bytes[cursor] == UInt8(ascii: ":") {
                nameStart = cursor + 1
                cursor = nameStart
                while cursor < bytes.count, isNameByte(bytes[cursor]) { cursor += 1 }
            }
            let length = cursor - nameStart
            guard length >= 4, length <= 6 else { continue }
            for (offset, name) in forbiddenElements.enumerated()
            where name.utf8.count == length && matches(bytes, at: nameStart, name) {
                found[offset] = true
                anyFound = true
            }
        }
        guard anyFound else { return [] }
        return forbiddenElements.indices.filter { found[$0] }.map { forbiddenElements[$0] }
    }

    /// The first `on…=` attribute (` onclick=`, `\tonload =`), if any: `on` after whitespace inside a tag,
    /// then a name, then `=`. Text content (`one=two`) is not looked at.
    private static func eventAttribute(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        var index = 1
        var inTag = bytes.first == UInt8(ascii: "<")
        while index + 2 < bytes.count {
            if bytes[index] == UInt8(ascii: "<") {
                inTag = true
            } else if bytes[index] == UInt8(ascii: ">") {
                inTag = false
            }
            if inTag, isSpace(bytes[index - 1]) || bytes[index - 1] == UInt8(ascii: "/"),
                lower(bytes[index]) == UInt8(ascii: "o"), lower(bytes[index + 1]) == UInt8(ascii: "n")
            {
                var end = index + 2
                while end < bytes.count, isNameByte(bytes[end]) { end += 1 }
                var afterName = end
                while afterName < bytes.count, isSpace(bytes[afterName]) { afterName += 1 }
                if end > index + 2, afterName < bytes.count, bytes[afterName] == UInt8(ascii: "=") {
                    return String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<end]), as: UTF8.self)
                }
            }
            index += 1
        }
        return nil
    }
}
