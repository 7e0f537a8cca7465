import CoManagement
import FHIRCore

/// What normalising one message did: the partitions it wrote (to be put back in the cache once the
/// message is committed) and what the normaliser said of the message's resources.
struct Normalised: Sendable {
    var writes: [PartitionWrite] = []
    var outcome = Outcome()
    var issues: [String: [Issue]] = [:]
    var unmatched: [UnmatchedReferral] = []
    /// The message's audit entries were written with its first partition (PostgreSQL, one round trip
    /// less); the caller writes them otherwise.
    var audited = false

    init(_ writes: [PartitionWrite] = []) {
        self.writes = writes
        for write in writes {
            self.outcome.append(contentsOf: write.ingestion.outcome)
            self.issues.merge(write.ingestion.issues) { $0 + $1 }
            self.unmatched += write.ingestion.unmatchedReferrals
        }
    }
}
