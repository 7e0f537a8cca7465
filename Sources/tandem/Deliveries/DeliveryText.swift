import CoManagement
import Foundation
import Store

/// How the delivery commands print outbox rows: one line per row in lists, a block for `show`.
enum DeliveryText {
    static func time(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    static let header =
        "ROW     STATE      PARTNER          EPISODE                          EVENT  TOPIC         ATTEMPTS  DELIVERY"

    /// One row: number, state, partner, episode, partner event number, topic, attempts, delivery id, and
    /// what explains the state (next attempt, last error, the original of a redelivery).
    static func line(_ record: DeliveryRecord) -> String {
        var line = [
            self.pad(String(record.row), 7), self.pad(record.state.rawValue, 10), self.pad(record.partnerID, 16),
            self.pad(record.episodeID, 32), self.pad(String(record.eventNumber), 6),
            self.pad(record.event.kind.topic, 13), self.pad(String(record.attempts), 9), record.deliveryID,
        ].joined(separator: " ")
        if let original = record.redeliveryOf { line += " redelivery of \(original)" }
        if record.state == .pending && record.attempts > 0 { line += " next \(self.time(record.nextAttemptAt))" }
        if record.state != .delivered, let error = record.lastError { line += " (\(error))" }
        return line
    }

    static func detail(_ detail: DeliveryDetail) -> [String] {
        let record = detail.record
        var lines = [
            "delivery \(record.deliveryID) (row \(record.row))",
            "  partner     \(record.partnerID)",
            "  episode     \(record.episodeID)",
            "  event       \(record.eventNumber) (timeline #\(record.event.number) \(record.event.kind.rawValue), "
                + "topic \(record.event.kind.topic)): \(record.event.summary)",
            "  source      \(record.event.source)",
            "  state       \(record.state.rawValue)",
            "  attempts    \(record.attempts)",
            "  planned     \(self.time(record.createdAt))",
        ]
        if record.state == .pending { lines.append("  due         \(self.time(record.nextAttemptAt))") }
        if let requeued = record.requeuedAt { lines.append("  requeued    \(self.time(requeued))") }
        if let error = record.lastError { lines.append("  last error  \(error)") }
        if let original = record.redeliveryOf { lines.append("  redelivery of \(original)") }
        lines.append("  body        \(detail.body.count) bytes")
        lines.append(detail.attempts.isEmpty ? "no attempts recorded" : "attempts:")
        for attempt in detail.attempts {
            let result = attempt.status.map { "HTTP \($0)" } ?? "no response: \(attempt.error ?? "?")"
            var line =
                "  #\(attempt.number) \(self.time(attempt.startedAt)) \(result) in \(attempt.milliseconds) ms"
            if let version = attempt.httpVersion { line += " (HTTP/\(version))" }
            let excerpt = String(decoding: attempt.excerpt.prefix(200), as: UTF8.self)
                .split(whereSeparator: \.isNewline).joined(separator: " ")
            if !excerpt.isEmpty { line += ": \(excerpt)" }
            lines.append(line)
        }
        return lines
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
