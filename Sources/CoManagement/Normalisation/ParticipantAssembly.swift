import FHIRCore

/// Works out who takes part in an episode, in which role and for which phases, and the handoffs
/// between them.
struct ParticipantAssembly {
    /// One mention of a party: from a referral or a CareTeam.
    struct Mention {
        var party: PartyFact
        var role: String
        var period: Period?
        var source: String
        /// 0 CareTeam, 1 a role code on the referral, 2 the service line's default role.
        var rank: Int
    }

    let mappings: MappingSet
    let line: ServiceLine

    /// The role codes name that this service line knows, else any role they name.
    func role(for codes: [Coding], knownOnly: Bool) -> String? {
        let expanded = self.mappings.conceptMaps.expand(codes)
        let roles = self.mappings.roles.rules
            .filter { rule in expanded.contains { $0.system == rule.system && $0.code == rule.code } }.map(\.role)
        return roles.first(where: self.line.knows(role:)) ?? (knownOnly ? nil : roles.first)
    }

    /// The requesters and performers of the episode's referrals, with the role their codes name or
    /// the service line's default.
    func referralMentions(_ group: EpisodeDerivation.Group) -> [Mention] {
        var mentions: [Mention] = []
        for fact in group.referrals {
            let sides = [
                (fact.requester, [Coding](), self.line.requesterRole, "requester"),
                (fact.performer, fact.performerRoleCodes, self.line.performerRole, "performer"),
            ]
            for (party, extraCodes, defaultRole, side) in sides {
                guard let party else { continue }
                let explicit = self.role(for: extraCodes + party.roleCodes, knownOnly: true)
                mentions.append(
                    Mention(
                        party: party,
                        role: explicit ?? defaultRole,
                        period: nil,
                        source: "\(fact.item.key)#\(side)",
                        rank: explicit == nil ? 2 : 1
                    )
                )
            }
        }
        return mentions
    }

    /// CareTeam members with the role their codes name; members without one go to `issues`.
    func careTeamMentions(_ group: EpisodeDerivation.Group, issues: inout [String: [Issue]]) -> [Mention] {
        var mentions: [Mention] = []
        for team in group.careTeams {
            for member in team.members {
                guard let role = self.role(for: member.roleCodes + member.party.roleCodes, knownOnly: false) else {
                    let message = "no role in roles.json matches participant '\(member.party.party.key)'; it is ignored"
                    issues[team.item.key, default: []].append(
                        Issue(.warning, .codeInvalid, path: "CareTeam.participant", message)
                    )
                    continue
                }
                mentions.append(
                    Mention(party: member.party, role: role, period: member.period, source: team.item.key, rank: 0)
                )
            }
        }
        return mentions
    }

    /// Participants by party key: the role of the most specific mention, CareTeam periods, all sources.
    func participants(_ group: EpisodeDerivation.Group, issues: inout [String: [Issue]]) -> [Participant] {
        var byKey: [String: Participant] = [:]
        let mentions = self.referralMentions(group) + self.careTeamMentions(group, issues: &issues)
        for mention in mentions.sorted(by: { ($0.rank, $0.source) < ($1.rank, $1.source) }) {
            let key = mention.party.party.key
            guard var participant = byKey[key] else {
                byKey[key] = Participant(
                    key: key,
                    party: mention.party.party,
                    role: mention.role,
                    phases: self.line.phases(of: mention.role),
                    period: mention.period,
                    sources: [mention.source]
                )
                continue
            }
            if !participant.sources.contains(mention.source) { participant.sources.append(mention.source) }
            if participant.party.display == nil { participant.party.display = mention.party.party.display }
            if let period = mention.period { participant.period = Self.union(participant.period, period) }
            byKey[key] = participant
        }
        let order = self.line.roles.map(\.role)
        return byKey.values.map { participant in
            var participant = participant
            participant.sources.sort()
            return participant
        }.sorted {
            (order.firstIndex(of: $0.role) ?? order.count, $0.key) < (
                order.firstIndex(of: $1.role) ?? order.count, $1.key
            )
        }
    }

    /// A CareTeam in which a participant of the handoff's `from` role has a period that ends and one
    /// of its `to` role has a period that starts then or later is a handoff, effective when the later
    /// one starts.
    func handoffs(_ group: EpisodeDerivation.Group) -> [Handoff] {
        var found: [String: Handoff] = [:]
        // Members without a role were reported when the participants were assembled.
        var reported: [String: [Issue]] = [:]
        let mentions = self.careTeamMentions(group, issues: &reported)
        for rule in self.line.handoffs {
            for from in mentions where from.role == rule.from && from.period?.end != nil {
                for to in mentions where to.role == rule.to && to.source == from.source {
                    // The receiver starts when the giver stops, or later: a colleague of the receiving
                    // role who helped while the giver was still responsible received nothing.
                    guard let effective = to.period?.start, let ended = from.period?.end,
                        FHIRDateText.isOnOrAfter(effective, ended)
                    else { continue }
                    let key = "\(rule.phase)|\(from.party.party.key)|\(to.party.party.key)"
                    var handoff = Handoff(
                        phase: rule.phase,
                        from: from.party.party.key,
                        to: to.party.party.key,
                        effective: effective,
                        source: from.source
                    )
                    if let existing = found[key], (existing.effective ?? "") <= effective { handoff = existing }
                    found[key] = handoff
                }
            }
        }
        return found.keys.sorted().map { key in
            var handoff = found[key]!
            handoff.acknowledgements = self.acknowledgements(of: handoff, group.tasks)
            return handoff
        }
    }

    /// Tasks owned by the receiving party that accept (or start or finish) the work, at or after the
    /// handoff took effect: the referral's own acceptance weeks earlier is not an acknowledgement.
    private func acknowledgements(of handoff: Handoff, _ tasks: [TaskFact]) -> [Acknowledgement] {
        let effective = handoff.effective.flatMap(FHIRInstant.init)
        return tasks.filter { task in
            guard task.owner?.party.key == handoff.to, task.acknowledges else { return false }
            // Tandem's own Tasks acknowledge only the hand-off they were made for.
            if let key = task.tandemKey, key != HandoffTask.key(of: handoff) { return false }
            guard let effective, let at = task.at.flatMap(FHIRInstant.init) else { return true }
            return at >= effective
        }.sorted { ($0.at ?? "", $0.item.key) < ($1.at ?? "", $1.item.key) }
            .map { Acknowledgement(by: handoff.to, at: $0.at, source: $0.item.key) }
    }

    /// The smallest period covering both; an open end stays open.
    static func union(_ lhs: Period?, _ rhs: Period) -> Period {
        guard let lhs else { return rhs }
        func earlier(_ a: String?, _ b: String?) -> String? {
            guard let a, let b else { return nil }
            return (FHIRInstant(a) ?? FHIRInstant(secondsSinceEpoch: 0))
                <= (FHIRInstant(b) ?? FHIRInstant(secondsSinceEpoch: 0)) ? a : b
        }
        func later(_ a: String?, _ b: String?) -> String? {
            guard let a, let b else { return nil }
            return (FHIRInstant(a) ?? FHIRInstant(secondsSinceEpoch: 0))
                >= (FHIRInstant(b) ?? FHIRInstant(secondsSinceEpoch: 0)) ? a : b
        }
        return Period(start: earlier(lhs.start, rhs.start), end: later(lhs.end, rhs.end))
    }
}
