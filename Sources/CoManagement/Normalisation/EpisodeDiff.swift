/// The differences between two states of one episode, as timeline event kinds in a fixed order.
///
/// Pure: states in, changes out. Numbers and sources are given by the ``Normaliser``, which knows the
/// timeline and the resources that caused the change.
struct EpisodeDiff {
    /// One change before it is numbered.
    struct Change: Equatable {
        var kind: EventKind
        var at: String?
        var summary: String
        /// Keys of resources that could have caused it, most specific first.
        var sources: [String]
        /// The participants it is for (``TimelineEvent/audience``); nil: everyone.
        var audience: [String]? = nil
    }

    /// The changes from `old` (nil for an episode that did not exist) to `new`; empty when equal.
    static func changes(from old: Episode?, to new: Episode) -> [Change] {
        var changes: [Change] = []
        let before = old ?? Episode(id: new.id, patient: new.patient, serviceLine: new.serviceLine)
        if old == nil {
            changes.append(
                Change(
                    kind: .episodeOpened,
                    at: new.referrals.first?.lifecycle.requestedAt,
                    summary: "\(new.serviceLine) episode opened for patient \(new.patient.key)",
                    sources: new.sources
                )
            )
        }
        changes += Self.referralChanges(before.referrals, new.referrals)
        changes += Self.participantChanges(before.participants, new.participants)
        changes += Self.carePlanChanges(before.carePlans, new.carePlans)
        changes += Self.handoffChanges(before.handoffs, new.handoffs)
        if before.consent != new.consent {
            changes.append(
                Change(
                    kind: .consentChanged,
                    at: new.consent.period?.start,
                    summary: "consent is now \(new.consent.decision.rawValue)"
                        + (new.consent.deniedParties.isEmpty
                            ? "" : ", denying \(new.consent.deniedParties.joined(separator: ", "))"),
                    sources: new.consent.sources
                )
            )
        }
        changes += Self.reportChanges(before.reports, new.reports)
        changes += Self.taskChanges(before.tasks, new.tasks)
        if old != nil, before.status != new.status {
            changes.append(
                Change(
                    kind: .statusChanged,
                    at: nil,
                    summary: "status \(before.status.rawValue) → \(new.status.rawValue)",
                    sources: []
                )
            )
        }
        return changes
    }

    private static func referralChanges(_ old: [Referral], _ new: [Referral]) -> [Change] {
        var changes: [Change] = []
        for referral in new {
            let previous = old.first { $0.key == referral.key }
            let sources = [referral.reference].compactMap { $0 }
            let life = referral.lifecycle
            if previous == nil {
                changes.append(
                    Change(
                        kind: .referralCreated,
                        at: life.requestedAt,
                        summary: "referral \(referral.key) created (\(referral.status))",
                        sources: sources
                    )
                )
            }
            let was = previous ?? Referral(key: referral.key, status: "", intent: "")
            func became(_ now: Bool, _ then: Bool, _ kind: EventKind, _ at: String?, _ word: String) {
                if now && !then {
                    changes.append(
                        Change(kind: kind, at: at, summary: "referral \(referral.key) \(word)", sources: sources)
                    )
                }
            }
            became(Self.accepted(referral), Self.accepted(was), .referralAccepted, life.acceptedAt, "accepted")
            became(Self.declined(referral), Self.declined(was), .referralDeclined, life.declinedAt, "declined")
            became(Self.completed(referral), Self.completed(was), .referralCompleted, life.completedAt, "completed")
            became(
                referral.lifecycle.unanswered == true,
                was.lifecycle.unanswered == true,
                .referralUnanswered,
                life.answerDueBy,
                "unanswered since \(life.answerDueBy ?? "?")"
            )
            became(
                referral.status == "revoked",
                was.status == "revoked",
                .referralCancelled,
                life.cancelledAt,
                "cancelled"
            )
            var comparable = referral
            comparable.lifecycle = was.lifecycle
            comparable.status = was.status
            if let previous,
                comparable != previous
                    || (referral.status != previous.status && !Self.statusReported(referral, previous))
            {
                changes.append(
                    Change(
                        kind: .referralUpdated,
                        at: nil,
                        summary: "referral \(referral.key) updated (\(referral.status))",
                        sources: sources
                    )
                )
            }
        }
        return changes
    }

    private static func accepted(_ r: Referral) -> Bool {
        r.lifecycle.acceptedAt != nil || r.lifecycle.businessStatus == "accepted"
    }
    private static func declined(_ r: Referral) -> Bool {
        r.lifecycle.declinedAt != nil || r.lifecycle.businessStatus == "declined"
    }
    private static func completed(_ r: Referral) -> Bool { r.status == "completed" || r.lifecycle.completedAt != nil }

    /// Whether a status change was already told as completed or cancelled.
    private static func statusReported(_ new: Referral, _ old: Referral) -> Bool {
        (Self.completed(new) && !Self.completed(old)) || (new.status == "revoked" && old.status != "revoked")
    }

    private static func participantChanges(_ old: [Participant], _ new: [Participant]) -> [Change] {
        var changes: [Change] = []
        let newKeys = Set(new.map(\.key))
        // A participant whose key changed because its resource arrived (a reference became an NPI) is
        // the same party: matched by the reference both name, it is changed, not added and removed.
        var rekeyed: [String: Participant] = [:]
        for participant in old where !newKeys.contains(participant.key) {
            if let reference = participant.party.reference,
                let successor = new.first(where: { $0.party.reference == reference && !old.map(\.key).contains($0.key) }
                )
            {
                rekeyed[successor.key] = participant
            }
        }
        for participant in new {
            let name = participant.party.display.map { "\($0) (\(participant.key))" } ?? participant.key
            let sources = participant.sources.map { String($0.prefix { $0 != "#" }) }
            let responsibility = "\(participant.role) for \(participant.phases.joined(separator: ", "))"
            guard let previous = old.first(where: { $0.key == participant.key }) ?? rekeyed[participant.key] else {
                changes.append(
                    Change(
                        kind: .participantAdded,
                        at: participant.period?.start,
                        summary: "\(name) takes part as \(responsibility)",
                        sources: sources
                    )
                )
                continue
            }
            if previous != participant {
                let renamed = previous.key == participant.key ? "" : " (was \(previous.key))"
                changes.append(
                    Change(
                        kind: .participantChanged,
                        at: participant.period?.start ?? participant.period?.end,
                        summary: "\(name)\(renamed) now \(responsibility)"
                            + (participant.period?.end.map { " until \($0)" } ?? ""),
                        sources: sources
                    )
                )
            }
        }
        let carried = Set(rekeyed.values.map(\.key))
        for participant in old where !newKeys.contains(participant.key) && !carried.contains(participant.key) {
            changes.append(
                Change(
                    kind: .participantChanged,
                    at: nil,
                    summary: "\(participant.key) no longer takes part",
                    sources: []
                )
            )
        }
        return changes
    }
}
