extension EpisodeAssembly {
    /// The episode's hand-offs as tasks: one per referral with a requester and a performer, one per
    /// handoff; each tracked by the sender's Task when there is one, else by Tandem's own. Only a hand-off
    /// a Task tracks escalates: the Task is what went unanswered.
    func tasks(_ group: EpisodeDerivation.Group, _ episode: Episode) -> [HandoffTask] {
        var result: [HandoffTask] = []
        let expectations = group.line.expectations
        for referral in episode.referrals {
            guard let requester = referral.requester?.key, let owner = referral.performer?.key else { continue }
            var task = HandoffTask(
                key: HandoffTask.key(ofReferral: referral.key),
                kind: .referral,
                requester: requester,
                owner: owner
            )
            task.focus = referral.reference
            task.authoredOn = referral.lifecycle.requestedAt
            task.dueBy = referral.lifecycle.answerDueBy
            let onReferral = group.tasks.filter { $0.referralKeys.contains(referral.key) }
            let own = onReferral.first { $0.tandemKey == task.key }
            let senders = onReferral.filter { $0.tandemKey == nil }
                .sorted { ($0.at ?? "", $0.item.key) < ($1.at ?? "", $1.item.key) }
            self.track(&task, by: senders.first ?? own, own: own)
            let life = referral.lifecycle
            task.answeredAt = life.acceptedAt ?? life.declinedAt ?? life.completedAt ?? life.cancelledAt
            if referral.isAnswered, task.answeredAt == nil { task.answeredAt = task.authoredOn }
            let answered = referral.isAnswered || task.isAnswered
            task.escalated = task.task != nil && !answered && Self.isPast(task.dueBy, self.evaluatedAt) ? true : nil
            result.append(task)
        }
        // Days count in the service line's zone, else in the sender's: the offset of its referral's time.
        let offset = episode.referrals.first?.lifecycle.requestedAt.flatMap(DueTime.offsetSeconds)
        let plan = episode.carePlans.first { $0.status == "active" } ?? episode.carePlans.first
        for handoff in episode.handoffs {
            var task = HandoffTask(
                key: HandoffTask.key(of: handoff),
                kind: .handoff,
                requester: handoff.from,
                owner: handoff.to
            )
            task.focus = plan?.reference ?? episode.referrals.first?.reference
            task.authoredOn = handoff.effective
            if let days = expectations.acknowledgementWithinDays, let effective = handoff.effective {
                task.dueBy = DueTime.endOfDay(
                    days: days,
                    after: effective,
                    zone: expectations.timeZone,
                    fallbackOffset: offset
                )
            }
            let own = group.tasks.first { $0.tandemKey == task.key }
            let acknowledgement = handoff.acknowledgements.first
            let acknowledging = acknowledgement.flatMap { ack in group.tasks.first { $0.item.key == ack.source } }
            self.track(&task, by: acknowledging ?? own, own: own)
            task.answeredAt = acknowledgement.map { $0.at ?? handoff.effective ?? "" }
            task.escalated =
                task.task != nil && !task.isAnswered && Self.isPast(task.dueBy, self.evaluatedAt) ? true : nil
            result.append(task)
        }
        return result
    }

    private func track(_ task: inout HandoffTask, by tracking: TaskFact?, own: TaskFact?) {
        task.task = tracking?.item.key
        task.tandemTask = own?.item.key
        task.status = tracking?.status ?? "requested"
    }
}
