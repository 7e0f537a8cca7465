extension EpisodeDiff {
    /// Tandem's own Task appearing (`task-requested`, for the owner's side) and a hand-off falling past its
    /// due time unanswered (`escalation`, for the requester's side).
    static func taskChanges(_ old: [HandoffTask], _ new: [HandoffTask]) -> [Change] {
        var changes: [Change] = []
        for task in new {
            let previous = old.first { $0.key == task.key }
            let what = task.kind == .referral ? "accept the referral" : "acknowledge the hand-off"
            if let own = task.tandemTask, own == task.task, previous?.tandemTask != own {
                changes.append(
                    Change(
                        kind: .taskRequested,
                        at: task.authoredOn,
                        summary: "\(own) asks \(task.owner) to \(what) (\(task.key))"
                            + (task.dueBy.map { ", due \($0)" } ?? ""),
                        sources: [own],
                        audience: [task.owner]
                    )
                )
            }
            if task.escalated == true, previous?.escalated != true {
                changes.append(
                    Change(
                        kind: .escalation,
                        at: task.dueBy,
                        summary: "\(task.owner) did not \(what) (\(task.key)) by \(task.dueBy ?? "?")",
                        sources: [task.task].compactMap { $0 },
                        audience: [task.requester]
                    )
                )
            }
        }
        return changes
    }
}
