/// The console's tables and sections: one shape for every list the pages show.
enum ConsoleTable {
    /// A table with a header row of `headers`, or the sentence `empty` when there is no row.
    static func render(_ headers: [String], _ rows: [HTML], empty: String, caption: String? = nil) -> HTML {
        guard !rows.isEmpty else { return "<p class=\"empty\">\(empty)</p>" }
        let head = headers.map { header -> HTML in "<th scope=\"col\">\(header)</th>" }
        let captionHTML: HTML = caption.map { "<caption>\($0)</caption>" } ?? .empty
        return "<table>\(captionHTML)<thead><tr>\(head)</tr></thead><tbody>\(rows)</tbody></table>"
    }

    /// A titled section; `live` ones are refreshed in place by the console's script.
    static func section(id: String, title: String, live: Bool = false, _ content: HTML) -> HTML {
        let liveHTML: HTML = live ? " data-live" : .empty
        return """
            <section id="\(id)"\(liveHTML) aria-labelledby="\(id)-title"><h2 id="\(id)-title">\(title)</h2>\
            \(content)</section>
            """
    }
}
