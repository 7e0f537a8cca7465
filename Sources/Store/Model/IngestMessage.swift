public import CoManagement
public import FHIRCore

/// Everything one accepted HTTP message changes, written by the store in one transaction.
///
/// The store commits the raw message, the resource versions, the episode changes and the audit records
/// together, and returns only after the commit is durable. The HTTP answer may then be sent.
public struct IngestMessage: Sendable, Hashable {
    public var received: ReceivedMessage
    public var writes: [ResourceWrite]
    /// True for a create, an update and a transaction Bundle: any failing write fails the whole message
    /// and nothing is stored. False for a batch Bundle: each write succeeds or fails on its own.
    public var atomic: Bool
    /// Episode changes written as they are, beside any the store's normaliser derives.
    public var episodes: [Ingestion.EpisodeChange]

    public init(
        received: ReceivedMessage,
        writes: [ResourceWrite],
        atomic: Bool = true,
        episodes: [Ingestion.EpisodeChange] = []
    ) {
        self.received = received
        self.writes = writes
        self.atomic = atomic
        self.episodes = episodes
    }
}

/// What the store did with an ``IngestMessage``: one entry per write, in order, and what normalising it said.
public struct IngestResult: Sendable {
    /// The stored message's id (audit records and versions point at it).
    public var messageID: Int64
    /// For an atomic message every entry is a success (a failure throws instead).
    public var entries: [Result<WriteResult, StoreError>]
    /// The normaliser's warnings about the message's resources (no patient, no service line for a
    /// referral and the codes it carried, references not held yet), each prefixed with the resource's key.
    public var outcome: Outcome
    /// The same warnings by the resource they are about (`Type/id`, the gateway's id), unprefixed.
    public var issues: [String: [Issue]]
    /// The referrals of the message that no episode holds because of their codes.
    public var unmatchedReferrals: [UnmatchedReferral]

    public init(
        messageID: Int64,
        entries: [Result<WriteResult, StoreError>],
        outcome: Outcome = Outcome(),
        issues: [String: [Issue]] = [:],
        unmatchedReferrals: [UnmatchedReferral] = []
    ) {
        self.messageID = messageID
        self.entries = entries
        self.outcome = outcome
        self.issues = issues
        self.unmatchedReferrals = unmatchedReferrals
    }
}
