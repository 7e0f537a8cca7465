import FHIRCore

/// Builds one episode's state from the facts gathered for it.
struct EpisodeAssembly {
    let mappings: MappingSet
    let evaluatedAt: FHIRInstant?

    func episode(from group: EpisodeDerivation.Group, issues: inout [String: [Issue]]) -> Episode {
        var episode = Episode(id: group.id, patient: self.patient(group), serviceLine: group.line.id)
        episode.referrals = self.referrals(group)
        let team = ParticipantAssembly(mappings: self.mappings, line: group.line)
        episode.participants = team.participants(group, issues: &issues)
        episode.carePlans = group.carePlans.map { self.carePlan($0.plan) }.sorted { $0.key < $1.key }
        episode.handoffs = team.handoffs(group)
        episode.consent = Self.consent(group.consents)
        episode.reports = self.reports(group, participants: episode.participants, handoffs: episode.handoffs)
        episode.tasks = self.tasks(group, episode)
        episode.status = Self.status(episode, rootKey: group.rootKey)
        episode.measures = self.measures(episode, rootKey: group.rootKey)
        let items =
            group.referrals.map(\.item) + group.tasks.map(\.item) + group.carePlans.map(\.item)
            + group.careTeams.map(\.item) + group.consents.map(\.item) + group.communications.map(\.item)
        episode.sources = Array(Set(items.map(\.key))).sorted()
        return episode
    }

    /// The most complete view of the patient any of the episode's resources gave (a resolved Patient
    /// with identifiers and name beats a bare reference), ties broken by key.
    private func patient(_ group: EpisodeDerivation.Group) -> PatientSummary {
        let candidates =
            (group.referrals.compactMap(\.patient) + group.carePlans.compactMap(\.patient)
            + group.careTeams.compactMap(\.patient) + group.tasks.compactMap(\.patient))
            .filter { $0.key == group.patient.key }
        func score(_ summary: PatientSummary) -> Int {
            summary.identifiers.count * 4 + (summary.name == nil ? 0 : 2) + (summary.birthDate == nil ? 0 : 1)
        }
        return candidates.max { (score($0), $1.reference ?? "") < (score($1), $0.reference ?? "") } ?? group.patient
    }

    /// Referrals with the lifecycle their Tasks report; the root first, then by request time and key.
    private func referrals(_ group: EpisodeDerivation.Group) -> [Referral] {
        var result: [Referral] = []
        for fact in group.referrals {
            var referral = fact.referral
            // Tandem's own Tasks speak for the referral only when made for it (not for a later hand-off).
            let tasks = group.tasks.filter {
                $0.referralKeys.contains(referral.key)
                    && ($0.tandemKey == nil || $0.tandemKey == HandoffTask.key(ofReferral: referral.key))
            }
            .sorted { ($0.at ?? "", $0.item.key) < ($1.at ?? "", $1.item.key) }
            for task in tasks {
                switch task.referralOutcome {
                case "accepted": referral.lifecycle.acceptedAt = referral.lifecycle.acceptedAt ?? task.at
                case "declined": referral.lifecycle.declinedAt = referral.lifecycle.declinedAt ?? task.at
                case "completed": referral.lifecycle.completedAt = referral.lifecycle.completedAt ?? task.at
                default: break
                }
            }
            referral.lifecycle.businessStatus = tasks.last(where: { $0.referralOutcome != nil })?.referralOutcome
            let updated = fact.item.resource.child("meta")?.string("lastUpdated")
            if referral.status == "completed" {
                referral.lifecycle.completedAt = referral.lifecycle.completedAt ?? updated
            }
            if referral.status == "revoked" { referral.lifecycle.cancelledAt = updated }
            if let hours = group.line.expectations.acceptanceWithinHours, let requested = referral.lifecycle.requestedAt
            {
                let due = DueTime.adding(hours: hours, to: requested)
                referral.lifecycle.answerDueBy = due
                referral.lifecycle.unanswered = !referral.isAnswered && Self.isPast(due, self.evaluatedAt) ? true : nil
            }
            result.append(referral)
        }
        return result.sorted { lhs, rhs in
            (lhs.key != group.rootKey ? 1 : 0, lhs.lifecycle.requestedAt ?? "", lhs.key)
                < (rhs.key != group.rootKey ? 1 : 0, rhs.lifecycle.requestedAt ?? "", rhs.key)
        }
    }

    /// The plan with overdue flags against the evaluation time.
    private func carePlan(_ plan: CarePlanSummary) -> CarePlanSummary {
        var plan = plan
        for index in plan.activities.indices {
            let activity = plan.activities[index]
            plan.activities[index].overdue = !activity.isFinished && Self.isPast(activity.dueBy, self.evaluatedAt)
        }
        return plan
    }

    /// The active Consents merged: denials and permissions from all, decision and period from the
    /// latest (by period start, then key).
    static func consent(_ facts: [ConsentFact]) -> ConsentState {
        var state = ConsentState()
        let active = facts.filter { $0.status == "active" }
            .sorted { ($0.period?.start ?? "", $0.item.key) < ($1.period?.start ?? "", $1.item.key) }
        guard let latest = active.last else { return state }
        state.decision = ConsentState.Decision(rawValue: latest.decision ?? "") ?? .noConsent
        state.deniedParties = Array(Set(active.flatMap(\.deniedParties))).sorted()
        state.permittedParties = Array(Set(active.flatMap(\.permittedParties))).sorted()
        var purposes: [Coding] = []
        for purpose in active.flatMap(\.purposes) where !purposes.contains(purpose) { purposes.append(purpose) }
        state.purposes = purposes
        state.period = latest.period
        state.sources = active.map(\.item.key)
        return state
    }

    /// One report per expected kind once a handoff starts its clock or it comes back.
    private func reports(_ group: EpisodeDerivation.Group, participants: [Participant], handoffs: [Handoff]) -> [Report]
    {
        // The clock starts at the earliest handoff; due dates keep its form (a date stays a date).
        let firstHandoff = handoffs.compactMap(\.effective)
            .min {
                (FHIRInstant($0) ?? FHIRInstant(secondsSinceEpoch: 0))
                    < (FHIRInstant($1) ?? FHIRInstant(secondsSinceEpoch: 0))
            }
        var reports: [Report] = []
        for rule in group.line.reports {
            let expected = participants.filter { $0.role == rule.from }
            let returned = group.communications.filter { fact in
                guard !["entered-in-error", "not-done"].contains(fact.status ?? "") else { return false }
                let codes = self.mappings.conceptMaps.expand(fact.reportCodes)
                guard
                    rule.codes.contains(where: { code in
                        codes.contains { $0.system == code.system && $0.code == code.code }
                    })
                else { return false }
                guard let sender = fact.sender else { return false }
                return expected.contains { $0.key == sender.party.key }
                    || self.mappings.role(for: sender.roleCodes) == rule.from
            }.sorted { ($0.at ?? "", $0.item.key) < ($1.at ?? "", $1.item.key) }
            guard firstHandoff != nil || !returned.isEmpty else { continue }
            var report = Report(key: rule.kind, kind: rule.kind)
            report.from = expected.first?.key
            report.dueBy = firstHandoff.flatMap { FHIRDateText.adding(days: rule.dueDaysAfterHandoff, to: $0) }
            report.returnedAt = returned.first.map { $0.at ?? $0.item.key }
            report.source = returned.first?.item.key
            report.overdue = returned.isEmpty && Self.isPast(report.dueBy, self.evaluatedAt)
            reports.append(report)
        }
        return reports
    }

    /// Declined, completed, handed off, active, accepted or referred, in that order of precedence.
    static func status(_ episode: Episode, rootKey: String) -> EpisodeStatus {
        let root = episode.referrals.first { $0.key == rootKey }
        if let root,
            root.lifecycle.declinedAt != nil || root.lifecycle.businessStatus == "declined"
                || root.status == "revoked"
        {
            return .declined
        }
        let planActive = episode.carePlans.contains { $0.status == "active" }
        if !episode.referrals.isEmpty, !planActive,
            episode.referrals.allSatisfy({ $0.status == "completed" || $0.lifecycle.completedAt != nil })
        {
            return .completed
        }
        if !episode.handoffs.isEmpty { return .handedOff }
        if planActive { return .active }
        if let root, root.lifecycle.acceptedAt != nil || root.lifecycle.businessStatus == "accepted" {
            return .accepted
        }
        return .referred
    }

    private func measures(_ episode: Episode, rootKey: String) -> Measures {
        var measures = Measures()
        if let root = episode.referrals.first(where: { $0.key == rootKey }),
            let requested = root.lifecycle.requestedAt.flatMap(FHIRInstant.init)
        {
            measures.hoursToAcknowledgement = root.lifecycle.acceptedAt.flatMap(FHIRInstant.init).map(
                requested.hours(until:)
            )
            measures.referralTurnaroundHours = root.lifecycle.completedAt.flatMap(FHIRInstant.init).map(
                requested.hours(until:)
            )
        }
        measures.overdueActivities = episode.carePlans.flatMap(\.activities).filter(\.overdue).count
        measures.overdueReports = episode.reports.filter(\.overdue).count
        measures.evaluatedAt = self.evaluatedAt?.fhirText
        return measures
    }

    /// Whether a due date has passed (``FHIRInstant/due(_:)``).
    static func isPast(_ due: String?, _ now: FHIRInstant?) -> Bool {
        guard let now, let instant = due.flatMap(FHIRInstant.due) else { return false }
        return instant <= now
    }
}
