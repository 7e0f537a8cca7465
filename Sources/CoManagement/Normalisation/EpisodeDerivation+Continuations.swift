import FHIRCore

extension EpisodeDerivation {
    /// The patient's open episode of the line that a continuing referral (a subsequent encounter or
    /// sequela) joins: one whose root referral is not completed, revoked or declined, by its status or a
    /// Task on it; the most recently requested first, then by id. Nil when the patient has none.
    static func openEpisode(
        of patient: PatientSummary,
        line: ServiceLine,
        in groups: [String: Group],
        tasks: [TaskFact]
    ) -> String? {
        let candidates = groups.values.filter { group in
            guard group.patient.key == patient.key, group.line.id == line.id else { return false }
            guard let root = group.referrals.first(where: { $0.referral.key == group.rootKey }) else { return true }
            let closedByTask = tasks.contains { task in
                task.referralKeys.contains(group.rootKey) && ["completed", "declined"].contains(task.referralOutcome)
            }
            return !closedByTask && !["completed", "revoked", "entered-in-error"].contains(root.referral.status)
        }
        func requested(_ group: Group) -> String {
            group.referrals.first { $0.referral.key == group.rootKey }?.referral.lifecycle.requestedAt ?? ""
        }
        return candidates.max { (requested($0), $1.id) < (requested($1), $0.id) }?.id
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
