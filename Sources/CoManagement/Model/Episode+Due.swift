extension Episode {
    /// The earliest deadline of the episode that had not passed when it was last evaluated
    /// (``Measures/evaluatedAt``), or any deadline when it never was: an activity not finished, a report
    /// not returned, a referral or a hand-off task not answered, each not yet flagged. Evaluating the episode again at that
    /// time is what records its next `activity-overdue`, `report-overdue` or `referral-unanswered`; nil
    /// when nothing is pending.
    public var nextDue: FHIRInstant? {
        var candidates: [String] = []
        for activity in self.carePlans.flatMap(\.activities) where !activity.isFinished && !activity.overdue {
            if let due = activity.dueBy { candidates.append(due) }
        }
        for report in self.reports where report.returnedAt == nil && !report.overdue {
            if let due = report.dueBy { candidates.append(due) }
        }
        for referral in self.referrals where !referral.isAnswered && referral.lifecycle.unanswered != true {
            if let due = referral.lifecycle.answerDueBy { candidates.append(due) }
        }
        for task in self.tasks where task.task != nil && !task.isAnswered && task.escalated != true {
            if let due = task.dueBy { candidates.append(due) }
        }
        return candidates.compactMap(FHIRInstant.due).min()
    }
}

extension EpisodeBook {
    /// The earliest ``Episode/nextDue`` of the book's episodes: when a timer should evaluate the book
    /// (the partition a store keeps it in) again; nil when nothing is pending.
    public var nextDue: FHIRInstant? {
        self.episodes.values.compactMap(\.nextDue).min()
    }
}
