import FHIRCore

/// The pure heart of normalisation: held resources + mappings → episode states (without timelines).
///
/// Everything is recomputed from all held resources, in key order, so the result depends on the set of
/// resources, not on the order they arrived in, except where several claim one name: of one referral's
/// versions the latest arrival counts; of copies of a practitioner under one identifier, the one held
/// longest (``ResourceIndex``), so a later copy changes nothing. The ``Normaliser`` diffs successive results.
struct EpisodeDerivation {
    /// The resources of one episode while it is being gathered.
    struct Group {
        var id: String
        var patient: PatientSummary
        var line: ServiceLine
        var rootKey: String
        var referrals: [ReferralFact] = []
        var tasks: [TaskFact] = []
        var carePlans: [CarePlanFact] = []
        var careTeams: [CareTeamFact] = []
        var consents: [ConsentFact] = []
        var communications: [CommunicationFact] = []
    }

    /// What one episode was built from: equal signatures build equal episodes, so an episode whose
    /// signature has not changed since it was last built is not built again.
    struct Signature: Hashable {
        var patientKey: String
        var line: String
        var rootKey: String
        /// The keys of the facts gathered for the episode, with the revision of each (``ReadFact``), in
        /// the order they were gathered (which follows from the facts alone).
        var members: [Member]

        struct Member: Hashable {
            var key: String
            var revision: Int
        }
        var evaluatedAt: FHIRInstant?
    }

    struct Result {
        /// The episodes built in this derivation, by id order; the others are as they were.
        var built: [Episode]
        /// What each current episode was built from, by episode id: the keys are every current episode.
        var signatures: [String: Signature]
        /// Resource key → what was wrong with it or could not be placed.
        var issues: [String: [Issue]]
        /// Referrals, Tasks and CarePlans held but in no episode because of their codes, by key.
        var unmatched: [UnmatchedReferral] = []
    }

    let mappings: MappingSet
    /// The time overdue flags are computed against; nil means nothing is overdue yet.
    let evaluatedAt: FHIRInstant?
    /// The service line an existing episode holds a referral under (by referral key), for a referral whose
    /// codes trigger no line any more: a mapping change that removes a trigger does not unmake the episodes
    /// it opened.
    var openedLine: (String) -> String? = { _ in nil }

    /// Derives the episodes of the held resources from their facts (all of them: episodes are a function
    /// of the set of facts), building only those for which `isCurrent` says the episode with that id was
    /// last built from another ``Signature`` (or never).
    func derive(
        _ facts: Facts,
        revisions: [String: ReadFact],
        isCurrent: (String, Signature) -> Bool
    ) -> Result {
        var facts = facts
        var groups: [String: Group] = [:]
        var episodeOfReferral: [String: String] = [:]
        var unmatched: [UnmatchedReferral] = []

        // Referrals open episodes: one per patient, service line and root of the basedOn chain.
        var referralsByKey: [String: ReferralFact] = [:]
        for fact in facts.referrals where (referralsByKey[fact.referral.key]?.item.arrival ?? -1) < fact.item.arrival {
            referralsByKey[fact.referral.key] = fact
        }
        var continuations: [(fact: ReferralFact, patient: PatientSummary, line: ServiceLine)] = []
        for key in referralsByKey.keys.sorted() {
            let fact = referralsByKey[key]!
            guard let patient = fact.patient else { continue }
            guard let (line, opening) = self.serviceLine(of: key, referralsByKey, visited: []) else {
                unmatched.append(
                    Self.unmatched(fact.item, codes: fact.serviceCodes, serviceLine: nil, &facts) {
                        "no service line matched the referral's codes (\($0)) or the referral it is based on"
                    }
                )
                continue
            }
            // A subsequent encounter or sequela continues care under way: placed once every opener is.
            guard opening == .opens else {
                continuations.append((fact, patient, line))
                continue
            }
            let root = self.root(of: key, referralsByKey)
            let id = Self.episodeID(patientKey: patient.key, serviceLine: line.id, rootKey: root)
            groups[id, default: Group(id: id, patient: patient, line: line, rootKey: root)].referrals.append(fact)
            episodeOfReferral[key] = id
        }

        // CarePlans and CareTeams with trigger codes open an episode where no referral did.
        let openers =
            facts.carePlans.map { ($0.item, $0.patient, $0.referralKeys, $0.triggered) }
            + facts.careTeams.map { ($0.item, $0.patient, $0.referralKeys, $0.triggered) }
        for (item, patient, referralKeys, triggered) in openers.sorted(by: { $0.0.key < $1.0.key }) {
            guard let patient, referralKeys.allSatisfy({ episodeOfReferral[$0] == nil }) else { continue }
            for (line, opening) in triggered
            where opening == .opens
                && !groups.values.contains(where: { $0.patient.key == patient.key && $0.line.id == line.id })
            {
                let id = Self.episodeID(patientKey: patient.key, serviceLine: line.id, rootKey: item.key)
                groups[id] = Group(id: id, patient: patient, line: line, rootKey: item.key)
            }
        }

        for (fact, patient, line) in continuations {
            let requestedAt = fact.referral.lifecycle.requestedAt
            guard
                let id = Self.openEpisode(
                    of: patient,
                    line: line,
                    requestedAt: requestedAt,
                    in: groups,
                    tasks: facts.tasks
                )
            else {
                unmatched.append(
                    Self.unmatched(fact.item, codes: fact.serviceCodes, serviceLine: line.id, &facts) {
                        "the referral's codes (\($0)) continue care of \(line.id) (a subsequent encounter or "
                            + "sequela) and the patient has no open episode of it to join"
                    }
                )
                continue
            }
            groups[id]!.referrals.append(fact)
            episodeOfReferral[fact.referral.key] = id
        }

        func place(
            _ item: HeldResource,
            _ patient: PatientSummary?,
            _ referralKeys: [String],
            lines: [ServiceLine]
        ) -> [String] {
            let byReferral = referralKeys.compactMap { episodeOfReferral[$0] }
            if !byReferral.isEmpty { return Array(Set(byReferral)).sorted() }
            guard let patient else { return [] }
            let ids = Set(lines.map(\.id))
            return groups.values.filter { $0.patient.key == patient.key && ids.contains($0.line.id) }.map(\.id).sorted()
        }
        func onlyEpisode(of patient: PatientSummary?) -> [String] {
            let ids = groups.values.filter { $0.patient.key == patient?.key }.map(\.id)
            return ids.count == 1 ? ids : []
        }

        func unplaced(
            _ item: HeldResource,
            _ codes: [Coding],
            _ triggered: [(line: ServiceLine, opening: EpisodeOpening)],
            _ message: (String) -> String
        ) {
            let line = triggered.first?.line.id
            unmatched.append(Self.unmatched(item, codes: codes, serviceLine: line, &facts, message: message))
        }

        for fact in facts.tasks {
            let ids = place(
                fact.item,
                fact.patient,
                fact.referralKeys,
                lines: fact.triggered.map(\.line)
            )
            if ids.isEmpty {
                unplaced(fact.item, fact.serviceCodes, fact.triggered) {
                    "the Task names no referral or service line of a known episode (codes: \($0))"
                }
            }
            for id in ids { groups[id]!.tasks.append(fact) }
        }
        for fact in facts.carePlans {
            let ids = place(
                fact.item,
                fact.patient,
                fact.referralKeys,
                lines: fact.triggered.map(\.line)
            )
            if ids.isEmpty {
                unplaced(fact.item, fact.serviceCodes, fact.triggered) {
                    "no service line matched the CarePlan's codes (\($0)) and it is based on no known referral"
                }
            }
            for id in ids { groups[id]!.carePlans.append(fact) }
        }
        for fact in facts.careTeams {
            var ids = place(fact.item, fact.patient, fact.referralKeys, lines: fact.triggered.map(\.line))
            // A CareTeam without codes or basedOn still belongs to a patient's only episode.
            if ids.isEmpty { ids = onlyEpisode(of: fact.patient) }
            if ids.isEmpty {
                facts.warn(
                    fact.item,
                    .notFound,
                    "no service line matched the CareTeam and it is based on no known referral"
                )
            }
            for id in ids { groups[id]!.careTeams.append(fact) }
        }
        for fact in facts.communications {
            let ids = place(fact.item, fact.patient, fact.referralKeys, lines: fact.reportLines)
            if ids.isEmpty {
                facts.warn(fact.item, .notFound, "the Communication matches no expected report of a known episode")
            }
            for id in ids { groups[id]!.communications.append(fact) }
        }
        // Consent is about the patient, so it applies to every episode of the patient.
        for fact in facts.consents {
            for id in groups.keys.sorted() where groups[id]!.patient.key == fact.patient?.key {
                groups[id]!.consents.append(fact)
            }
        }

        let assembly = EpisodeAssembly(mappings: self.mappings, evaluatedAt: self.evaluatedAt)
        var result = Result(built: [], signatures: [:], issues: [:], unmatched: unmatched)
        for id in groups.keys.sorted() {
            let group = groups[id]!
            let signature = self.signature(of: group, revisions)
            result.signatures[id] = signature
            if !isCurrent(id, signature) { result.built.append(assembly.episode(from: group, issues: &facts.issues)) }
        }
        result.issues = facts.issues
        return result
    }

    private func signature(of group: Group, _ revisions: [String: ReadFact]) -> Signature {
        var members: [Signature.Member] = []
        members.reserveCapacity(
            group.referrals.count + group.tasks.count + group.carePlans.count + group.careTeams.count
                + group.consents.count + group.communications.count
        )
        func add(_ facts: [some HeldFact]) {
            for fact in facts {
                members.append(Signature.Member(key: fact.item.key, revision: revisions[fact.item.key]?.revision ?? 0))
            }
        }
        add(group.referrals)
        add(group.tasks)
        add(group.carePlans)
        add(group.careTeams)
        add(group.consents)
        add(group.communications)
        return Signature(
            patientKey: group.patient.key,
            line: group.line.id,
            rootKey: group.rootKey,
            members: members,
            evaluatedAt: self.evaluatedAt
        )
    }

    /// The service line the referral's own codes open, else the one of the referral it is based on, else
    /// the one its own codes only continue (``EpisodeOpening/joinsOpenEpisode``).
    private func serviceLine(
        of key: String,
        _ referrals: [String: ReferralFact],
        visited: Set<String>
    ) -> (line: ServiceLine, opening: EpisodeOpening)? {
        guard let fact = referrals[key], !visited.contains(key) else { return nil }
        let own = fact.triggered.first
        if let own, own.opening == .opens { return own }
        for parent in fact.referral.basedOn {
            if let inherited = self.serviceLine(of: parent, referrals, visited: visited.union([key])) {
                return inherited
            }
        }
        if own == nil, let id = self.openedLine(key),
            let line = self.mappings.serviceLines.first(where: { $0.id == id })
        {
            return (line, .opens)
        }
        return own
    }

    /// The topmost held referral of the basedOn chain (the first parent, when there are several).
    private func root(of key: String, _ referrals: [String: ReferralFact]) -> String {
        var current = key
        var visited: Set<String> = [key]
        while let parent = referrals[current]?.referral.basedOn.first(where: { referrals[$0] != nil }),
            visited.insert(parent).inserted
        {
            current = parent
        }
        return current
    }

    /// `ep-` and 16 hex digits of FNV-1a 64 over `patientKey|serviceLine|rootReferralKey`.
    static func episodeID(patientKey: String, serviceLine: String, rootKey: String) -> String {
        "ep-" + FNV1a.hex([patientKey, serviceLine, rootKey], separator: UInt8(ascii: "|"))
    }
}
