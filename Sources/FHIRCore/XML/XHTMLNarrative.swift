/// The safety and shape rules for narrative XHTML (`Narrative.div`, FHIR R4 §2.4 "Narrative").
///
/// FHIR allows only basic HTML formatting, tables, lists, links and images in a narrative, with no
/// active content. This checker is deliberately an allowlist: anything not listed is reported.
/// See https://hl7.org/fhir/R4/narrative.html#xhtml
public enum XHTMLNarrative {
    /// Checks a narrative div's markup (well-formed XHTML in the XHTML namespace, hostile-safe parse) and
    /// its safety: no script/object/embed/iframe/form-like active content, no event attributes (on*), no
    /// javascript: URLs, no DOCTYPE/entities; only the elements and attributes FHIR narrative allows (see
    /// FHIR R4 narrative rules: basic HTML, no <head>/<body>, etc.). Returns issues (error severity, code
    /// .value or .security for unsafe) with the given path and location.
    ///
    /// - Parameters:
    ///   - markup: the `div` element as a string (``Element/value`` of a node of type `xhtml`).
    ///   - path: the FHIRPath of the div, used for every issue (`Patient.text.div`).
    ///   - location: where the div started in the input, used for every issue.
    /// - Returns: the problems found, empty for safe markup; parsing never throws.
    public static func issues(markup: String, path: String, at location: SourceLocation) -> [Issue] {
        let bytes = Array(markup.utf8)
        guard !bytes.isEmpty else {
            return [Issue(.error, .value, path: path, "the narrative div is empty", at: location)]
        }
        return bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return [] }
            return XHTMLNarrativeChecker.check(base, count: buffer.count, path: path, at: location)
        }
    }

    /// Elements of basic HTML formatting FHIR narrative allows (HTML 4.0 chapters 7–11 and 15, links,
    /// images).
    static let allowedElements: Set<String> = [
        "a", "abbr", "acronym", "address", "b", "bdo", "big", "blockquote", "br", "caption", "cite", "code",
        "col", "colgroup", "dd", "del", "dfn", "div", "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6",
        "hr", "i", "img", "ins", "kbd", "li", "ol", "p", "pre", "q", "samp", "small", "span", "strong",
        "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "tt", "ul", "var",
    ]

    /// Elements that run code, load other documents or submit data: reported as `security`.
    static let activeElements: Set<String> = [
        "script", "noscript", "object", "embed", "applet", "param", "iframe", "frame", "frameset", "form",
        "input", "button", "select", "option", "textarea", "base", "link", "meta", "style", "svg", "math",
        "audio", "video", "source", "track", "canvas", "portal",
    ]

    /// Attributes FHIR narrative allows (plus `xml:lang`, checked separately).
    static let allowedAttributes: Set<String> = [
        "id", "class", "style", "title", "lang", "dir", "href", "name", "src", "alt", "width", "height",
        "border", "colspan", "rowspan", "span", "align", "valign", "char", "charoff", "cellpadding",
        "cellspacing", "summary", "scope", "headers", "abbr", "axis", "cite", "datetime", "start", "value",
        "type", "rel", "rev", "hreflang", "charset", "shape", "coords", "longdesc", "rules", "frame",
    ]

    /// Whether an attribute value is a URL with a scheme that runs code. Browsers ignore ASCII
    /// whitespace and control characters inside the scheme, so they are dropped before comparing.
    static func isScriptURL(_ value: String) -> Bool {
        let squeezed = String(String.UnicodeScalarView(value.unicodeScalars.filter { $0.value > 0x20 })).lowercased()
        return squeezed.hasPrefix("javascript:") || squeezed.hasPrefix("vbscript:")
            || squeezed.hasPrefix("data:text/html")
    }

    /// Whether a `style` value can run code (old IE `expression()`, script URLs inside `url()`).
    static func isActiveStyle(_ value: String) -> Bool {
        let squeezed = String(String.UnicodeScalarView(value.unicodeScalars.filter { $0.value > 0x20 })).lowercased()
        return squeezed.contains("expression(") || squeezed.contains("javascript:") || squeezed.contains("vbscript:")
            || squeezed.contains("-moz-binding") || squeezed.contains("behavior:")
    }
}
