import FHIRCore

/// Turns held resources into ``Facts`` through the extraction mappings.
struct FactReader {
    let fields: FieldReader
    var mappings: MappingSet { self.fields.mappings }
    var index: ResourceIndex { self.fields.index }

    init(mappings: MappingSet, index: ResourceIndex, log: IssueLog) {
        self.fields = FieldReader(mappings: mappings, index: index, log: log)
    }

    /// Reads every held resource of a type the normaliser knows (only those in `scope`, when given);
    /// others are only there to be referenced.
    func read(scope: Set<String>?) -> Facts {
        var facts = Facts()
        for key in (scope.map(Array.init) ?? Array(self.index.held.keys)).sorted() {
            guard self.index.held[key] != nil else { continue }
            let item = self.index.held[key]!
            switch item.resource.type {
            case "ServiceRequest": facts.referrals.append(self.referral(item, &facts))
            case "Task": facts.tasks.append(self.task(item, &facts))
            case "CarePlan": facts.carePlans.append(self.carePlan(item, &facts))
            case "CareTeam": facts.careTeams.append(self.careTeam(item, &facts))
            case "Consent": facts.consents.append(self.consent(item, &facts))
            case "Communication": facts.communications.append(self.communication(item, &facts))
            default: break
            }
        }
        return facts
    }

    private func referral(_ item: HeldResource, _ facts: inout Facts) -> ReferralFact {
        let f = self.fields
        let s = f.subject(item)
        let identifiers = f.identifiers("identifiers", of: s)
        var referral = Referral(
            key: Self.referralKey(item, identifiers: identifiers),
            status: f.string("status", of: s) ?? "unknown",
            intent: f.string("intent", of: s) ?? "unknown"
        )
        referral.identifiers = identifiers
        referral.reference = item.key
        referral.priority = f.string("priority", of: s)
        referral.code = f.codings("code", of: s).first
        referral.reasons = f.codings("reasons", of: s)
        referral.basedOn = self.referralKeys("basedOn", of: s, &facts)
        referral.lifecycle.requestedAt = f.string("authoredOn", of: s)
        let requester = f.references("requester", of: s).first.flatMap { self.party($0, from: item) }
        let performer = f.references("performer", of: s).first.flatMap { self.party($0, from: item) }
        referral.requester = requester?.party
        referral.performer = performer?.party
        return ReferralFact(
            item: item,
            patient: self.patient(s, &facts),
            referral: referral,
            serviceCodes: f.codings("serviceCodes", of: s),
            requester: requester,
            performer: performer,
            performerRoleCodes: f.codings("performerRoleCodes", of: s)
        )
    }

    private func task(_ item: HeldResource, _ facts: inout Facts) -> TaskFact {
        let f = self.fields
        let s = f.subject(item)
        let translated = self.mappings.conceptMaps.expand(f.codings("businessStatus", of: s))
        let business = translated.first { $0.system == Self.referralStatusSystem }?.code
        return TaskFact(
            item: item,
            patient: self.patient(s, &facts),
            referralKeys: self.referralKeys("focus", of: s, &facts),
            status: f.string("status", of: s),
            businessStatus: business,
            owner: f.references("owner", of: s).first.flatMap { self.party($0, from: item) },
            at: f.string("at", of: s),
            serviceCodes: f.codings("serviceCodes", of: s)
        )
    }

    private func carePlan(_ item: HeldResource, _ facts: inout Facts) -> CarePlanFact {
        let f = self.fields
        let s = f.subject(item)
        let identifiers = f.identifiers("identifiers", of: s)
        var plan = CarePlanSummary(
            key: identifiers.sorted().first?.token ?? item.key,
            status: f.string("status", of: s) ?? "unknown",
            intent: f.string("intent", of: s) ?? "unknown"
        )
        plan.reference = item.key
        plan.title = f.string("title", of: s)
        let start = f.string("periodStart", of: s)
        let end = f.string("periodEnd", of: s)
        if start != nil || end != nil { plan.period = Period(start: start, end: end) }
        var keys: Set<String> = []
        for (offset, node) in f.refs("activities", of: s).enumerated() {
            let code = f.codings("activity.code", of: s, on: node).first
            let description = f.string("activity.description", of: s, on: node)
            var key = code.map { "\($0.system ?? "")|\($0.code)" } ?? description ?? "#\(offset)"
            if !keys.insert(key).inserted { key += "#\(offset)" }
            var activity = Activity(key: key, status: f.string("activity.status", of: s, on: node) ?? "unknown")
            activity.code = code
            activity.description = description
            activity.responsible = f.references("activity.performer", of: s, on: node).first
                .flatMap { self.party($0, from: item)?.party }
            activity.scheduledStart = f.string("activity.scheduledStart", of: s, on: node)
            activity.dueBy = f.string("activity.dueBy", of: s, on: node)
            plan.activities.append(activity)
        }
        return CarePlanFact(
            item: item,
            patient: self.patient(s, &facts),
            plan: plan,
            referralKeys: self.referralKeys("basedOn", of: s, &facts),
            serviceCodes: f.codings("serviceCodes", of: s)
        )
    }

    private func careTeam(_ item: HeldResource, _ facts: inout Facts) -> CareTeamFact {
        let f = self.fields
        let s = f.subject(item)
        var members: [CareTeamFact.Member] = []
        for node in f.refs("participants", of: s) {
            guard let reference = f.references("participant.member", of: s, on: node).first,
                let party = self.party(reference, from: item)
            else {
                facts.warn(item, .required, path: "CareTeam.participant", "a participant without a member is ignored")
                continue
            }
            let start = f.string("participant.start", of: s, on: node)
            let end = f.string("participant.end", of: s, on: node)
            members.append(
                CareTeamFact.Member(
                    party: party,
                    roleCodes: f.codings("participant.roleCodes", of: s, on: node),
                    period: start == nil && end == nil ? nil : Period(start: start, end: end)
                )
            )
        }
        return CareTeamFact(
            item: item,
            patient: self.patient(s, &facts),
            referralKeys: self.referralKeys("basedOn", of: s, &facts),
            serviceCodes: f.codings("serviceCodes", of: s),
            members: members
        )
    }

    private func consent(_ item: HeldResource, _ facts: inout Facts) -> ConsentFact {
        let f = self.fields
        let s = f.subject(item)
        let start = f.string("periodStart", of: s)
        let end = f.string("periodEnd", of: s)
        func keys(_ field: String) -> [String] {
            f.references(field, of: s).compactMap { self.party($0, from: item)?.party.key }
        }
        return ConsentFact(
            item: item,
            patient: self.patient(s, &facts),
            status: f.string("status", of: s),
            decision: f.string("decision", of: s),
            deniedParties: keys("deniedActors"),
            permittedParties: keys("permittedActors"),
            purposes: f.codings("purposes", of: s),
            period: start == nil && end == nil ? nil : Period(start: start, end: end)
        )
    }

    private func communication(_ item: HeldResource, _ facts: inout Facts) -> CommunicationFact {
        let f = self.fields
        let s = f.subject(item)
        return CommunicationFact(
            item: item,
            patient: self.patient(s, &facts),
            status: f.string("status", of: s),
            referralKeys: self.referralKeys("basedOn", of: s, &facts),
            reportCodes: f.codings("reportCodes", of: s),
            sender: f.references("sender", of: s).first.flatMap { self.party($0, from: item) },
            at: f.string("at", of: s)
        )
    }

    static let referralStatusSystem = "http://tandem.example.org/fhir/CodeSystem/referral-status"

    /// A referral's key: its first business identifier (sorted) as `system|value`, else its held key.
    static func referralKey(_ item: HeldResource, identifiers: [Identifier]) -> String {
        identifiers.sorted().first?.token ?? item.key
    }
}
