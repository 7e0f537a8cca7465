import FHIRCore

extension EpisodeDerivation {
    /// The patient's episode of the line that a continuing referral (a subsequent encounter or sequela)
    /// joins: one that was open when the referral was requested. Nil when there is none.
    ///
    /// An episode is closed from the moment its root referral was completed, revoked or declined (its
    /// status at `meta.lastUpdated`, or a Task on it at the Task's time); a closure whose time is unknown,
    /// or a referral without `authoredOn`, counts as closed. Judging openness at the referral's own time
    /// keeps a joined referral in its episode when the episode completes later. Of several open episodes,
    /// the one whose root was requested last, not after the referral if any was; then by id.
    static func openEpisode(
        of patient: PatientSummary,
        line: ServiceLine,
        requestedAt: String?,
        in groups: [String: Group],
        tasks: [TaskFact]
    ) -> String? {
        let when = requestedAt.flatMap(FHIRInstant.init)
        func rootRequest(_ group: Group) -> FHIRInstant? {
            group.referrals.first { $0.referral.key == group.rootKey }?.referral.lifecycle.requestedAt
                .flatMap(FHIRInstant.init)
        }
        let open = groups.values.filter {
            $0.patient.key == patient.key && $0.line.id == line.id && Self.isOpen($0, at: when, tasks: tasks)
        }
        let earlier = open.filter { group in
            guard let when, let requested = rootRequest(group) else { return false }
            return requested <= when
        }
        func order(_ group: Group) -> (Double, String) {
            (rootRequest(group)?.secondsSinceEpoch ?? -.infinity, group.id)
        }
        return (earlier.isEmpty ? open : earlier).max { order($0) < order($1) }?.id
    }

    /// Whether no closure of the group's root referral happened at or before `time`.
    private static func isOpen(_ group: Group, at time: FHIRInstant?, tasks: [TaskFact]) -> Bool {
        guard let root = group.referrals.first(where: { $0.referral.key == group.rootKey }) else { return true }
        var closures: [String?] = tasks.filter { task in
            task.referralKeys.contains(group.rootKey) && ["completed", "declined"].contains(task.referralOutcome)
        }.map(\.at)
        if ["completed", "revoked", "entered-in-error"].contains(root.referral.status) {
            closures.append(root.item.resource.child("meta")?.string("lastUpdated"))
        }
        return closures.allSatisfy { closure in
            guard let time, let closed = closure.flatMap(FHIRInstant.init) else { return false }
            return closed > time
        }
    }

    /// Records a referral that no episode holds: a warning on the resource that names its codes, and the
    /// value the caller lists.
    static func unmatched(
        _ item: HeldResource,
        codes: [Coding],
        serviceLine: String?,
        _ facts: inout Facts,
        message: (String) -> String
    ) -> UnmatchedReferral {
        let type = item.resource.type
        let referral = UnmatchedReferral(
            key: item.key,
            resourceType: type,
            path: UnmatchedReferral.path(of: type),
            codes: codes,
            serviceLine: serviceLine
        )
        facts.warn(item, .notFound, path: referral.path, message(referral.codeList))
        return referral
    }
}
