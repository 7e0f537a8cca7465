public import CoManagement
import Foundation
import Metrics
import Prometheus
public import Store

extension GatewayMetrics {
    /// Sets the per-service-line gauges from the all-partners rows:
    /// `tandem_episodes{service_line, status}`, `tandem_open_overdue_items{service_line, kind}`,
    /// `tandem_report_timeliness{service_line, outcome}` and
    /// `tandem_referral_turnaround_hours{service_line, quantile}` and
    /// `tandem_handoff_acknowledgement_hours{service_line, quantile}` (quantile `0.5`, `0.9`, `1`; absent
    /// figures are 0 with a count of 0 in `tandem_referral_turnaround_count`).
    public func recordMeasures(_ rows: [MeasureRow]) {
        for row in rows where row.partner == nil {
            let line = ("service_line", row.serviceLine)
            for status in EpisodeStatus.allCases {
                self.gauge("tandem_episodes", [line, ("status", status.rawValue)])
                    .record(Double(row.episodesByStatus[status.rawValue] ?? 0))
            }
            let overdue = row.openOverdue
            for (kind, count) in [
                ("activity", overdue.activities), ("report", overdue.reports), ("referral", overdue.referrals),
                ("handoff", overdue.handoffs),
            ] {
                self.gauge("tandem_open_overdue_items", [line, ("kind", kind)]).record(Double(count))
            }
            let reports = row.reportTimeliness
            for (outcome, count) in [
                ("on-time", reports.onTime), ("late", reports.late), ("overdue", reports.overdue),
                ("pending", reports.pending),
            ] {
                self.gauge("tandem_report_timeliness", [line, ("outcome", outcome)]).record(Double(count))
            }
            for (name, distribution) in [
                ("tandem_referral_turnaround", row.referralTurnaround),
                ("tandem_handoff_acknowledgement", row.handoffAcknowledgement),
            ] {
                for (quantile, value) in [
                    ("0.5", distribution.p50), ("0.9", distribution.p90), ("1", distribution.max),
                ] {
                    self.gauge("\(name)_hours", [line, ("quantile", quantile)]).record(value ?? 0)
                }
                self.gauge("\(name)_count", [line]).record(Double(distribution.count))
            }
        }
    }

    /// Counts what the timers fired, `tandem_timer_events_total{service_line, kind}`, and observes how late
    /// each fired after its deadline, `tandem_timer_lateness_seconds{service_line}` (a histogram).
    public func recordTimers(_ fired: FiredTimers, at now: FHIRInstant) {
        for event in fired.events {
            Counter(
                label: "tandem_timer_events_total",
                dimensions: [("service_line", event.serviceLine), ("kind", event.kind.rawValue)],
                factory: self.factory
            ).increment()
            if let due = event.due.flatMap(FHIRInstant.due) {
                Recorder(
                    label: "tandem_timer_lateness_seconds",
                    dimensions: [("service_line", event.serviceLine)],
                    aggregate: true,
                    factory: self.factory
                ).record(max(0, now.secondsSinceEpoch - due.secondsSinceEpoch))
            }
        }
    }

    private func gauge(_ label: String, _ dimensions: [(String, String)]) -> Metrics.Gauge {
        Metrics.Gauge(label: label, dimensions: dimensions, factory: self.factory)
    }
}
