import CoManagement
public import Store

/// `/console/deliveries`: each partner's outbox (depth, next due, oldest waiting, dead letters), the
/// recent deliveries and attempts, and the dead letters with retry and requeue (the CLI's
/// `tandem deliveries retry` and `requeue-dead`, through the same store operations, audited alike).
public enum DeliveriesPage {
    public struct Content: Sendable, Hashable {
        public var outboxes: [PartnerOutbox]
        public var recent: [DeliveryRecord]
        public var dead: [DeliveryRecord]
        public var attempts: [RecordedAttempt]

        public init(
            outboxes: [PartnerOutbox],
            recent: [DeliveryRecord],
            dead: [DeliveryRecord],
            attempts: [RecordedAttempt]
        ) {
            self.outboxes = outboxes
            self.recent = recent
            self.dead = dead
            self.attempts = attempts
        }
    }

    public static func render(chrome: ConsoleChrome, content: Content, notice: String?) -> HTML {
        ConsoleLayout.page(
            title: "Deliveries",
            chrome: chrome,
            notice: notice,
            body: """
                \(Self.outboxes(content.outboxes, csrf: chrome.csrf))\(Self.dead(content.dead, csrf: chrome.csrf))\
                \(Self.recent(content.recent))\(Self.attempts(content.attempts))
                """
        )
    }

    static func outboxes(_ outboxes: [PartnerOutbox], csrf: String) -> HTML {
        let rows = outboxes.map { outbox -> HTML in
            let requeue: HTML =
                outbox.dead == 0
                ? .empty
                : """
                <form method="post" action="/console/deliveries/requeue">\(ConsoleLayout.csrfField(csrf))\
                <input type="hidden" name="partner" value="\(outbox.partner)">\
                <button type="submit">Requeue \(outbox.dead) dead</button></form>
                """
            return """
                <tr><td>\(outbox.partner)</td><td>\(outbox.waiting)</td><td>\(ConsoleLayout.time(outbox.nextDue))</td>\
                <td>\(ConsoleLayout.time(outbox.oldestWaiting))</td><td>\(outbox.dead)</td><td>\(requeue)</td></tr>
                """
        }
        let table = ConsoleTable.render(
            ["Partner", "Waiting", "Next due", "Oldest waiting since", "Dead", "Action"],
            rows,
            empty: "Every outbox is empty: nothing waits and nothing is dead."
        )
        return ConsoleTable.section(id: "outboxes", title: "Outbox by partner", live: true, table)
    }

    static func dead(_ records: [DeliveryRecord], csrf: String) -> HTML {
        let rows = records.map { record -> HTML in
            """
            <tr id="dead-\(record.row)"><td>\(record.row)</td><td>\(record.partnerID)</td>\
            <td><a href="/console/episodes/\(component: record.episodeID)#event-\(record.event.number)">\(record.episodeID)</a></td>\
            <td>\(record.event.number) \(record.event.kind.rawValue)</td><td>\(record.attempts)</td><td>\(record.lastError ?? "—")</td>\
            <td><form method="post" action="/console/deliveries/\(record.row)/retry">\(ConsoleLayout.csrfField(csrf))\
            <button type="submit" aria-label="Retry delivery \(record.row)">Retry</button></form></td></tr>
            """
        }
        let table = ConsoleTable.render(
            ["Row", "Partner", "Episode", "Event", "Attempts", "Why", "Action"],
            rows,
            empty: "No dead letter."
        )
        return ConsoleTable.section(id: "dead", title: "Dead letters", live: true, table)
    }

    static func recent(_ records: [DeliveryRecord]) -> HTML {
        let rows = records.map { record -> HTML in
            """
            <tr id="delivery-\(record.row)"><td>\(record.row)</td><td>\(record.partnerID)</td>\
            <td><a href="/console/episodes/\(component: record.episodeID)#event-\(record.event.number)">\(record.episodeID)</a></td>\
            <td>\(record.event.number) \(record.event.kind.rawValue)</td>\
            <td><span class="status \(record.state.rawValue)">\(record.state.rawValue)</span></td><td>\(record.attempts)</td>\
            <td>\(ConsoleLayout.time(record.createdAt))</td></tr>
            """
        }
        let table = ConsoleTable.render(
            ["Row", "Partner", "Episode", "Event", "State", "Attempts", "Planned"],
            rows,
            empty: "No delivery yet."
        )
        return ConsoleTable.section(id: "recent", title: "Recent deliveries", live: true, table)
    }

    static func attempts(_ attempts: [RecordedAttempt]) -> HTML {
        let rows = attempts.map { recorded -> HTML in
            let attempt = recorded.attempt
            let result = attempt.status.map { "HTTP \($0)" } ?? attempt.error ?? "no response"
            return """
                <tr><td>\(ConsoleLayout.time(attempt.startedAt))</td><td>\(recorded.partner)</td><td>\(recorded.row)</td>\
                <td>\(attempt.number)</td><td>\(result)</td><td>\(Int(attempt.milliseconds)) ms</td></tr>
                """
        }
        let table = ConsoleTable.render(
            ["Started", "Partner", "Row", "Attempt", "Result", "Took"],
            rows,
            empty: "No attempt yet."
        )
        return ConsoleTable.section(id: "attempts", title: "Recent attempts", live: true, table)
    }
}
