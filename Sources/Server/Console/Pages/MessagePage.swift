public import FHIRCore
public import Store

/// `/console/messages/{id}`: one accepted message exactly as the sender posted it, with the
/// OperationOutcome its body gets from validation now. Every view is audited.
public enum MessagePage {
    /// The most of a body shown; the rest is cut with a note.
    public static let maximumShownBytes = 1 << 20

    public static func render(chrome: ConsoleChrome, record: MessageRecord, outcome: Outcome) -> HTML {
        let message = record.message
        let shown = message.body.prefix(Self.maximumShownBytes)
        let text = String(decoding: shown, as: UTF8.self)
        let cut: HTML =
            message.body.count > shown.count
            ? "<p class=\"notice\">Showing the first \(shown.count) of \(message.body.count) bytes.</p>" : .empty
        let issues = outcome.issues.map { issue -> HTML in
            """
            <tr><td>\(issue.severity.rawValue)</td><td>\(issue.code.rawValue)</td><td><code>\(issue.path ?? "")</code></td>\
            <td>\(issue.message)</td></tr>
            """
        }
        let outcomeHTML: HTML =
            issues.isEmpty
            ? "<p>No issue: the message validates cleanly.</p>"
            : """
            <table><thead><tr><th scope="col">Severity</th><th scope="col">Code</th><th scope="col">Where</th>\
            <th scope="col">Message</th></tr></thead><tbody>\(issues)</tbody></table>
            """
        return ConsoleLayout.page(
            title: "Message \(record.id)",
            chrome: chrome,
            body: """
                <dl class="summary"><dt>Sender</dt><dd>\(message.sender)</dd>\
                <dt>Received</dt><dd>\(ConsoleLayout.time(message.receivedAt))</dd>\
                <dt>Interaction</dt><dd>\(message.interaction)</dd>\
                <dt>Content type</dt><dd>\(message.contentType)</dd>\
                <dt>Correlation id</dt><dd><code>\(message.correlationID)</code></dd></dl>\
                <section aria-labelledby="outcome-title"><h2 id="outcome-title">OperationOutcome</h2>\(outcomeHTML)</section>\
                <section aria-labelledby="raw-title"><h2 id="raw-title">As received</h2>\(cut)\
                <pre class="raw" tabindex="0">\(text)</pre></section>
                """
        )
    }
}
