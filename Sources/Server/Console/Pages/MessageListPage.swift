import CoManagement
public import Store

/// `/console/messages`: recent messages with sender, outcome and issues, and the referrals no service line
/// matched, with the action that normalises them again after a mapping fix.
public enum MessageListPage {
    public static func render(
        chrome: ConsoleChrome,
        messages: [MessageLog.Entry],
        unmatched: [UnmatchedRecord],
        notice: String? = nil
    ) -> HTML {
        let rows = messages.map { entry -> HTML in
            let link: HTML =
                entry.messageID.map { "<a href=\"/console/messages/\($0)\">message \($0)</a>" }
                ?? "<span class=\"muted\">not stored\(entry.source.map { " (from \($0))" } ?? "")</span>"
            let issues = entry.issues.filter { !$0.isEmpty }.map { issue -> HTML in "<li>\(issue)</li>" }
            return """
                <tr><td>\(ConsoleLayout.time(entry.at))</td><td>\(entry.sender ?? "unknown")</td>\
                <td>\(entry.interaction)</td><td><span class="status \(entry.outcome == .accepted ? "delivered" : "dead")">\
                \(entry.outcome.rawValue)</span></td><td>\(link)<br><span class="muted">\(entry.writes.count) \
                \(entry.writes.count == 1 ? "write" : "writes")</span></td><td><ul class="plain">\(issues)</ul></td></tr>
                """
        }
        let messagesHTML = ConsoleTable.render(
            ["Received", "Sender", "Interaction", "Outcome", "Message", "OperationOutcome issues"],
            rows,
            empty: "No message yet."
        )
        let unmatchedRows = unmatched.map { record -> HTML in
            let codes = record.referral.codes.map { coding -> HTML in
                "<li><code>\(coding.system ?? "")|\(coding.code)</code>\(coding.display.map { " \($0)" } ?? "")</li>"
            }
            return """
                <tr><td>\(record.referral.resourceType)/\(record.referral.key)</td><td><ul class="plain">\(codes)</ul></td>\
                <td>\(record.sender)</td><td>\(record.mappingsVersion ?? "—")</td><td>\(ConsoleLayout.time(record.recordedAt))</td></tr>
                """
        }
        let unmatchedHTML: HTML =
            unmatched.isEmpty
            ? ConsoleTable.render([], [], empty: "Every referral matched a service line.")
            : """
            \(ConsoleTable.render(["Referral", "Codes", "Sender", "Mappings version", "Found"], unmatchedRows, empty: ""))\
            <form method="post" action="/console/unmatched/renormalise">\(ConsoleLayout.csrfField(chrome.csrf))\
            <p>After adding their codes to a ValueSet and reloading the mappings (SIGHUP):</p>\
            <button type="submit">Re-normalise the unmatched referrals</button></form>
            """
        return ConsoleLayout.page(
            title: "Messages",
            chrome: chrome,
            notice: notice,
            body: """
                <section id="messages" data-live aria-labelledby="messages-title"><h2 id="messages-title">Recent messages</h2>\
                \(messagesHTML)</section>\
                <section id="unmatched" aria-labelledby="unmatched-title"><h2 id="unmatched-title">Unmatched referrals</h2>\
                \(unmatchedHTML)</section>
                """
        )
    }
}
