import FHIRCore

/// Turns held resources into ``Facts`` through the extraction mappings.
struct FactReader {
    let fields: FieldReader
    var mappings: MappingSet { self.fields.mappings }
    var index: ResourceIndex { self.fields.index }

    init(mappings: MappingSet, index: ResourceIndex, log: IssueLog, dependencies: FactDependencies) {
        self.fields = FieldReader(mappings: mappings, index: index, log: log, dependencies: dependencies)
    }

    /// The types facts are read from; the other held resources are only there to be referenced.
    static let factTypes: Set<String> = ["ServiceRequest", "Task", "CarePlan", "CareTeam", "Consent", "Communication"]

    /// Reads the held resources under `keys` that are of a ``factTypes`` type, each with what it depended
    /// on (``FactDependencies``) and the issues reading it raised.
    func read(keys: some Sequence<String>) -> [String: ReadFact] {
        var read: [String: ReadFact] = [:]
        for key in keys {
            guard let item = self.index.held[key], Self.factTypes.contains(item.resource.type) else { continue }
            var facts = Facts()
            self.fields.dependencies.current = key
            let kind: ReadFact.Kind
            switch item.resource.type {
            case "ServiceRequest": kind = .referral(self.referral(item, &facts))
            case "Task": kind = .task(self.task(item, &facts))
            case "CarePlan": kind = .carePlan(self.carePlan(item, &facts))
            case "CareTeam": kind = .careTeam(self.careTeam(item, &facts))
            case "Consent": kind = .consent(self.consent(item, &facts))
            default: kind = .communication(self.communication(item, &facts))
            }
            self.fields.dependencies.current = nil
            read[key] = ReadFact(
                kind: kind,
                issues: (facts.issues[key] ?? []) + (self.fields.log.issues[key] ?? []),
                dependencies: self.fields.dependencies.names[key, default: []].union([key])
            )
        }
        return read
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
        let serviceCodes = f.codings("serviceCodes", of: s)
        return ReferralFact(
            triggered: self.mappings.triggeredServiceLines(by: serviceCodes),
            item: item,
            patient: self.patient(s, &facts),
            referral: referral,
            serviceCodes: serviceCodes,
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
        let serviceCodes = f.codings("serviceCodes", of: s)
        return TaskFact(
            triggered: self.mappings.triggeredServiceLines(by: serviceCodes),
            item: item,
            patient: self.patient(s, &facts),
            referralKeys: self.referralKeys("focus", of: s, &facts),
            status: f.string("status", of: s),
            businessStatus: business,
            owner: f.references("owner", of: s).first.flatMap { self.party($0, from: item) },
            at: f.string("at", of: s),
            serviceCodes: serviceCodes
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
        let serviceCodes = f.codings("serviceCodes", of: s)
        return CarePlanFact(
            triggered: self.mappings.triggeredServiceLines(by: serviceCodes),
            item: item,
            patient: self.patient(s, &facts),
            plan: plan,
            referralKeys: self.referralKeys("basedOn", of: s, &facts),
            serviceCodes: serviceCodes
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
        let serviceCodes = f.codings("serviceCodes", of: s)
        return CareTeamFact(
            triggered: self.mappings.triggeredServiceLines(by: serviceCodes),
            item: item,
            patient: self.patient(s, &facts),
            referralKeys: self.referralKeys("basedOn", of: s, &facts),
            serviceCodes: serviceCodes,
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
        let reportCodes = f.codings("reportCodes", of: s)
        return CommunicationFact(
            reportLines: self.reportLines(reportCodes),
            item: item,
            patient: self.patient(s, &facts),
            status: f.string("status", of: s),
            referralKeys: self.referralKeys("basedOn", of: s, &facts),
            reportCodes: reportCodes,
            sender: f.references("sender", of: s).first.flatMap { self.party($0, from: item) },
            at: f.string("at", of: s)
        )
    }

    /// The service lines expecting a report with one of `codes` (after ConceptMap translation).
    private func reportLines(_ codes: [Coding]) -> [ServiceLine] {
        let expanded = self.mappings.conceptMaps.expand(codes)
        return self.mappings.serviceLines.filter { line in
            line.reports.contains { report in
                report.codes.contains { code in
                    expanded.contains { $0.system == code.system && $0.code == code.code }
                }
            }
        }
    }

    static let referralStatusSystem = "http://tandem.example.org/fhir/CodeSystem/referral-status"

    /// A referral's key: its first business identifier (sorted) as `system|value`, else its held key.
    static func referralKey(_ item: HeldResource, identifiers: [Identifier]) -> String {
        identifiers.sorted().first?.token ?? item.key
    }
}
