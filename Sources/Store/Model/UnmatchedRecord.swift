public import CoManagement

public import struct Foundation.Date

/// A held referral no episode holds because of its codes, as operators list it (`GET /unmatched`,
/// `tandem unmatched`).
public struct UnmatchedRecord: Sendable, Hashable {
    public var referral: UnmatchedReferral
    /// The sender that sent it.
    public var sender: String
    /// The mappings version it was last normalised with.
    public var mappingsVersion: String?
    /// When it was last found unmatched.
    public var recordedAt: Date

    public init(referral: UnmatchedReferral, sender: String, mappingsVersion: String?, recordedAt: Date) {
        self.referral = referral
        self.sender = sender
        self.mappingsVersion = mappingsVersion
        self.recordedAt = recordedAt
    }
}
