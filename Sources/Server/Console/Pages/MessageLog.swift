public import Foundation
public import Store

/// The messages senders posted, accepted or refused, read back from the audit trail: each accepted
/// message's per-resource records folded into one row, and each refusal at the edge as a row of its own.
public enum MessageLog {
    public enum Outcome: String, Sendable, Hashable {
        case accepted
        /// A batch some of whose entries were refused.
        case partly = "partly refused"
        case refused
    }

    public struct Entry: Sendable, Hashable {
        public var at: Date
        public var sender: String?
        /// The stored message, for an accepted one.
        public var messageID: Int64?
        public var interaction: String
        public var outcome: Outcome
        /// What each write did: `create Patient/p1/_history/1`.
        public var writes: [String]
        /// The issues recorded: the normaliser's warnings, the refusal's reason.
        public var issues: [String]
        /// The network address of a refused request.
        public var source: String?
    }

    /// Interactions that post a message.
    static let postings: Set<String> = ["bundle", "create", "update"]

    /// The message rows among `trail` (newest first), newest first.
    public static func entries(from trail: [AuditEntry]) -> [Entry] {
        var entries: [Entry] = []
        var byMessage: [Int64: Int] = [:]
        for record in trail {
            if let messageID = record.messageID {
                let parts = (record.detail ?? "").components(separatedBy: "; ")
                let write = "\(record.action) \(record.resourceReference ?? "")"
                let issues = record.action == "rejected" ? [record.detail ?? ""] : Array(parts.dropFirst())
                if let index = byMessage[messageID] {
                    entries[index].writes.append(write)
                    entries[index].issues += issues
                    entries[index].outcome = Self.combine(entries[index].outcome, record.action)
                } else {
                    byMessage[messageID] = entries.count
                    entries.append(
                        Entry(
                            at: record.at,
                            sender: record.sender,
                            messageID: messageID,
                            interaction: parts.first?.components(separatedBy: ":").first ?? record.action,
                            outcome: record.action == "rejected" ? .refused : .accepted,
                            writes: [write],
                            issues: issues,
                            source: nil
                        )
                    )
                }
            } else if Self.postings.contains(record.action), record.outcome != .success {
                entries.append(
                    Entry(
                        at: record.at,
                        sender: record.sender,
                        messageID: nil,
                        interaction: record.action,
                        outcome: .refused,
                        writes: [],
                        issues: [record.detail ?? ""],
                        source: record.source
                    )
                )
            }
        }
        for index in entries.indices { entries[index].writes.reverse() }
        return entries
    }

    private static func combine(_ outcome: Outcome, _ action: String) -> Outcome {
        switch (outcome, action == "rejected") {
        case (.accepted, true), (.refused, false): .partly
        default: outcome
        }
    }
}
