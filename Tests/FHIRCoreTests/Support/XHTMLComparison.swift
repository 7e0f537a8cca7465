import Foundation

/// Compares narrative markup as XML content rather than bytes: the publisher re-serialised the JSON copy's
/// narratives, so whitespace between tags and empty-element spelling may differ while the content is equal.
enum XHTMLComparison {
    static func equivalent(_ lhs: String, _ rhs: String) -> Bool {
        self.canonical(lhs) == self.canonical(rhs)
    }

    static func canonical(_ markup: String) -> String {
        var text = ""
        var lastWasSpace = false
        for character in markup {
            if character.isWhitespace {
                if !lastWasSpace { text.append(" ") }
                lastWasSpace = true
            } else {
                text.append(character)
                lastWasSpace = false
            }
        }
        return text.replacingOccurrences(of: "> <", with: "><")
            .replacingOccurrences(of: " />", with: "/>")
            .replacingOccurrences(of: "> ", with: ">")
            .replacingOccurrences(of: " <", with: "<")
    }
}
