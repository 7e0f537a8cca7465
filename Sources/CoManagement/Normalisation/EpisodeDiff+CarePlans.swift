extension EpisodeDiff {
    // Care plans, handoffs and reports: what the episode's participants are doing and owe each other.

    static func carePlanChanges(_ old: [CarePlanSummary], _ new: [CarePlanSummary]) -> [Change] {
        var changes: [Change] = []
        for plan in new {
            let sources = [plan.reference].compactMap { $0 }
            let previous = old.first { $0.key == plan.key }
            if let previous {
                var comparable = plan
                comparable.activities = previous.activities
                if comparable != previous {
                    changes.append(
                        Change(
                            kind: .carePlanUpdated,
                            at: nil,
                            summary: "care plan \(plan.key) updated (\(plan.status))",
                            sources: sources
                        )
                    )
                }
            } else {
                changes.append(
                    Change(
                        kind: .carePlanCreated,
                        at: plan.period?.start,
                        summary: "care plan \(plan.key) created (\(plan.status))",
                        sources: sources
                    )
                )
            }
            for activity in plan.activities {
                let was = previous?.activities.first { $0.key == activity.key }
                let label = activity.description ?? activity.code?.display ?? activity.key
                if let was {
                    var comparable = activity
                    comparable.overdue = was.overdue
                    if comparable != was {
                        changes.append(
                            Change(
                                kind: .activityChanged,
                                at: nil,
                                summary: "activity \(label): \(activity.status)",
                                sources: sources
                            )
                        )
                    }
                } else if previous != nil {
                    changes.append(
                        Change(
                            kind: .activityChanged,
                            at: activity.scheduledStart,
                            summary: "activity \(label) added (\(activity.status))",
                            sources: sources
                        )
                    )
                }
                if activity.overdue && !(was?.overdue ?? false) {
                    changes.append(
                        Change(
                            kind: .activityOverdue,
                            at: activity.dueBy,
                            summary: "activity \(label) overdue since \(activity.dueBy ?? "?")",
                            sources: sources
                        )
                    )
                }
            }
        }
        return changes
    }

    static func handoffChanges(_ old: [Handoff], _ new: [Handoff]) -> [Change] {
        var changes: [Change] = []
        for handoff in new {
            let previous = old.first { ($0.phase, $0.from, $0.to) == (handoff.phase, handoff.from, handoff.to) }
            if previous == nil || previous?.effective != handoff.effective {
                changes.append(
                    Change(
                        kind: .handoff,
                        at: handoff.effective,
                        summary: "\(handoff.phase) handed off from \(handoff.from) to \(handoff.to)",
                        sources: [handoff.source]
                    )
                )
            }
            for ack in handoff.acknowledgements where !(previous?.acknowledgements.contains(ack) ?? false) {
                changes.append(
                    Change(
                        kind: .handoffAcknowledged,
                        at: ack.at,
                        summary: "\(ack.by) acknowledged the \(handoff.phase) handoff",
                        sources: [ack.source]
                    )
                )
            }
        }
        return changes
    }

    static func reportChanges(_ old: [Report], _ new: [Report]) -> [Change] {
        var changes: [Change] = []
        for report in new {
            let previous = old.first { $0.key == report.key }
            if report.returnedAt != nil && previous?.returnedAt == nil {
                changes.append(
                    Change(
                        kind: .reportReturned,
                        at: report.returnedAt,
                        summary: "\(report.kind) returned",
                        sources: [report.source].compactMap { $0 }
                    )
                )
            }
            if report.overdue && !(previous?.overdue ?? false) {
                changes.append(
                    Change(
                        kind: .reportOverdue,
                        at: report.dueBy,
                        summary: "\(report.kind) overdue since \(report.dueBy ?? "?")",
                        sources: []
                    )
                )
            }
        }
        return changes
    }
}
