public import struct Foundation.Date

/// What SMART Backend Services keeps in the store so that every replica agrees: the gateway's signing
/// keys, and the client assertions (`jti`) already used.
///
/// Every method is safe to call from several replicas at once: keys are added per rotation slot, first
/// writer wins; an assertion is recorded at most once per client.
public protocol AuthorizationStore: Sendable {
    /// The signing keys of `slot` and later, oldest first.
    func signingKeys(fromSlot slot: Int64) async throws(StoreError) -> [SigningKeyRecord]

    /// Stores `key` unless its slot has a key already, and returns the slot's key: `key`, or the one
    /// another replica stored first.
    func addSigningKey(_ key: SigningKeyRecord) async throws(StoreError) -> SigningKeyRecord

    /// Records that `client` used the assertion `jti`, which expires at `expiresAt`; false when it had
    /// used it before (a replay). Assertions expired before `now` are forgotten on the way.
    func recordAssertion(client: String, jti: String, expiresAt: Date, now: Date) async throws(StoreError) -> Bool
}

/// One of the gateway's access-token signing keys, as the store holds it.
///
/// Keys belong to rotation slots (a slot is `floor(time / rotation)`), one key per slot, so replicas
/// that rotate at the same moment agree on the key without talking to each other.
public struct SigningKeyRecord: Sendable, Hashable {
    /// The rotation slot the key signs in.
    public var slot: Int64
    /// The key id (`kid`) tokens and `/.well-known/jwks.json` carry.
    public var kid: String
    /// The JOSE algorithm, `ES384`.
    public var algorithm: String
    /// The private key, PEM.
    public var privateKey: String
    public var createdAt: Date

    public init(slot: Int64, kid: String, algorithm: String, privateKey: String, createdAt: Date) {
        self.slot = slot
        self.kid = kid
        self.algorithm = algorithm
        self.privateKey = privateKey
        self.createdAt = createdAt
    }
}
