import CoManagement

/// The sections of the episode page, each a pure function of the episode's values.
enum EpisodeSections {
    static func party(_ party: Party?) -> String {
        guard let party else { return "—" }
        return party.display ?? party.reference ?? party.identifiers.first?.token ?? party.key
    }

    static func period(_ period: Period?) -> HTML {
        guard let period, period.start != nil || period.end != nil else { return "<span class=\"none\">—</span>" }
        return "\(ConsoleLayout.fhirTime(period.start)) – \(ConsoleLayout.fhirTime(period.end))"
    }

    static func coding(_ coding: Coding?) -> String {
        guard let coding else { return "—" }
        return coding.display.map { "\($0) (\(coding.code))" } ?? "\(coding.system ?? "")|\(coding.code)"
    }

    static func section(_ id: String, _ title: String, empty: String, _ content: HTML?) -> HTML {
        ConsoleTable.section(id: id, title: title, content ?? "<p class=\"none\">\(empty)</p>")
    }

    static func participants(_ participants: [Participant]) -> HTML {
        let rows = participants.map { participant -> HTML in
            """
            <tr><td>\(Self.party(participant.party))</td><td>\(participant.party.kind.rawValue)</td>\
            <td>\(participant.role)</td><td>\(participant.phases.joined(separator: ", "))</td>\
            <td>\(Self.period(participant.period))</td></tr>
            """
        }
        return Self.section(
            "participants",
            "Participants",
            empty: "No participant yet.",
            participants.isEmpty
                ? nil
                : """
                <table><thead><tr><th scope="col">Who</th><th scope="col">Kind</th><th scope="col">Role</th>\
                <th scope="col">Responsible for</th><th scope="col">Period</th></tr></thead><tbody>\(rows)</tbody></table>
                """
        )
    }

    static func referrals(_ referrals: [Referral]) -> HTML {
        let rows = referrals.map { referral -> HTML in
            let lifecycle = referral.lifecycle
            let basedOn: HTML =
                referral.basedOn.isEmpty
                ? .empty : "<br><span class=\"muted\">based on \(referral.basedOn.joined(separator: ", "))</span>"
            return """
                <tr><td>\(referral.reference ?? referral.key)\(basedOn)</td><td>\(Self.coding(referral.code))</td>\
                <td>\(referral.status)\(lifecycle.businessStatus.map { " · \($0)" } ?? "")</td>\
                <td>\(referral.priority ?? "—")</td>\
                <td>\(Self.party(referral.requester)) → \(Self.party(referral.performer))</td>\
                <td>\(ConsoleLayout.fhirTime(lifecycle.requestedAt))</td><td>\(ConsoleLayout.fhirTime(lifecycle.acceptedAt ?? lifecycle.declinedAt))</td>\
                <td>\(ConsoleLayout.fhirTime(lifecycle.completedAt ?? lifecycle.cancelledAt))</td></tr>
                """
        }
        return Self.section(
            "referrals",
            "Referral chain",
            empty: "No referral.",
            referrals.isEmpty
                ? nil
                : """
                <table><thead><tr><th scope="col">Referral</th><th scope="col">Code</th><th scope="col">Status</th>\
                <th scope="col">Priority</th><th scope="col">From → to</th><th scope="col">Requested</th>\
                <th scope="col">Accepted or declined</th><th scope="col">Completed or cancelled</th></tr></thead>\
                <tbody>\(rows)</tbody></table>
                """
        )
    }

    static func carePlans(_ plans: [CarePlanSummary]) -> HTML {
        let content = plans.map { plan -> HTML in
            let rows = plan.activities.map { activity -> HTML in
                let overdue: HTML = activity.overdue ? " <strong class=\"overdue\">overdue</strong>" : .empty
                return """
                    <tr><td>\(activity.description ?? Self.coding(activity.code))</td><td>\(activity.status)</td>\
                    <td>\(activity.phase ?? "—")</td><td>\(Self.party(activity.responsible))</td>\
                    <td>\(ConsoleLayout.fhirTime(activity.dueBy))\(overdue)</td></tr>
                    """
            }
            return """
                <h3>\(plan.title ?? plan.reference ?? plan.key) <span class="muted">\(plan.status)</span></h3>\
                <table><thead><tr><th scope="col">Activity</th><th scope="col">Status</th><th scope="col">Phase</th>\
                <th scope="col">Responsible</th><th scope="col">Due</th></tr></thead><tbody>\(rows)</tbody></table>
                """
        }
        return Self.section("care-plans", "Care plans", empty: "No care plan.", plans.isEmpty ? nil : "\(content)")
    }

    static func handoffs(_ handoffs: [Handoff]) -> HTML {
        let rows = handoffs.map { handoff -> HTML in
            let acknowledgements: HTML =
                handoff.acknowledgements.isEmpty
                ? "<strong class=\"overdue\">not acknowledged</strong>"
                : HTML.join(
                    handoff.acknowledgements.map { "\($0.by) at \(ConsoleLayout.fhirTime($0.at))" },
                    separator: "<br>"
                )
            return """
                <tr><td>\(handoff.phase)</td><td>\(handoff.from) → \(handoff.to)</td>\
                <td>\(ConsoleLayout.fhirTime(handoff.effective))</td><td>\(acknowledgements)</td></tr>
                """
        }
        return Self.section(
            "handoffs",
            "Hand-offs",
            empty: "No hand-off.",
            handoffs.isEmpty
                ? nil
                : """
                <table><thead><tr><th scope="col">Phase</th><th scope="col">From → to</th><th scope="col">Effective</th>\
                <th scope="col">Acknowledged</th></tr></thead><tbody>\(rows)</tbody></table>
                """
        )
    }

    static func consent(_ consent: ConsentState) -> HTML {
        let purposes = consent.purposes.map { Self.coding($0) }.joined(separator: ", ")
        return Self.section(
            "consent",
            "Consent",
            empty: "",
            """
            <dl class="summary"><dt>Decision</dt><dd>\(consent.decision.rawValue)</dd>\
            <dt>Permitted</dt><dd>\(consent.permittedParties.isEmpty ? "—" : consent.permittedParties.joined(separator: ", "))</dd>\
            <dt>Refused</dt><dd>\(consent.deniedParties.isEmpty ? "—" : consent.deniedParties.joined(separator: ", "))</dd>\
            <dt>Purposes</dt><dd>\(purposes.isEmpty ? "—" : purposes)</dd>\
            <dt>Period</dt><dd>\(Self.period(consent.period))</dd></dl>
            """
        )
    }

    static func reports(_ reports: [Report]) -> HTML {
        let rows = reports.map { report -> HTML in
            let overdue: HTML = report.overdue ? " <strong class=\"overdue\">overdue</strong>" : .empty
            return """
                <tr><td>\(report.kind)</td><td>\(report.from ?? "—")</td><td>\(ConsoleLayout.fhirTime(report.dueBy))\(overdue)</td>\
                <td>\(ConsoleLayout.fhirTime(report.returnedAt))</td></tr>
                """
        }
        return Self.section(
            "reports",
            "Expected reports",
            empty: "No report expected.",
            reports.isEmpty
                ? nil
                : """
                <table><thead><tr><th scope="col">Report</th><th scope="col">From</th><th scope="col">Due</th>\
                <th scope="col">Returned</th></tr></thead><tbody>\(rows)</tbody></table>
                """
        )
    }
}
