import Foundation
import JWTKit
import Store
import Synchronization

/// The gateway's access-token signing keys: one ES384 key per rotation slot, kept in the store so that
/// every replica signs with the same key and accepts the others' tokens.
///
/// A key is made (by whichever replica needs it first) ``AuthorizationSettings/keyOverlap`` before its
/// slot begins, so `/.well-known/jwks.json` publishes it before any token carries it, and it is accepted
/// and published for the same overlap after its slot ends, so tokens it signed outlive the rotation.
final class SigningKeyRing: Sendable {
    private struct Loaded: Sendable {
        var records: [SigningKeyRecord]
        var keys: JWTKeyCollection
        var loadedAt: ContinuousClock.Instant
    }

    static let algorithm = "ES384"

    let store: any AuthorizationStore
    let settings: AuthorizationSettings
    private let loaded = Mutex<Loaded?>(nil)

    init(store: any AuthorizationStore, settings: AuthorizationSettings) {
        self.store = store
        self.settings = settings
    }

    /// The keys and the `kid` to sign with at `now`, making the slot's key (and the next one, within
    /// the overlap) when no replica has yet.
    func signingKey(at now: Date) async throws -> (keys: JWTKeyCollection, kid: String) {
        let slot = self.slot(at: now)
        var needed: Set<Int64> = [slot, self.slot(at: now.addingTimeInterval(self.overlapSeconds))]
        var loaded = try await self.current(refreshingUnless: { records in
            needed.isSubset(of: Set(records.map(\.slot)))
        })
        needed.subtract(loaded.records.map(\.slot))
        if !needed.isEmpty {
            for missing in needed.sorted() {
                let key = ES384PrivateKey()
                let kid = "tandem-\(missing)-\(UUID().uuidString.prefix(8).lowercased())"
                _ = try await self.store.addSigningKey(
                    SigningKeyRecord(
                        slot: missing,
                        kid: kid,
                        algorithm: Self.algorithm,
                        privateKey: key.pemRepresentation,
                        createdAt: now
                    )
                )
            }
            loaded = try await self.reload(now: now)
        }
        guard let record = loaded.records.first(where: { $0.slot == slot }) else {
            throw StoreError(.corrupt, "no signing key for slot \(slot)")
        }
        return (loaded.keys, record.kid)
    }

    /// The keys that may have signed a token with `kid`, reloading from the store (at most once a second)
    /// when another replica has made a key this one has not seen; nil when no such key is valid.
    func verificationKeys(for kid: String, at now: Date) async throws -> JWTKeyCollection? {
        let loaded = try await self.current(refreshingUnless: { $0.contains { $0.kid == kid } })
        guard let record = loaded.records.first(where: { $0.kid == kid }), self.isValid(record.slot, at: now) else {
            return nil
        }
        return loaded.keys
    }

    /// The public keys valid at `now`, as `/.well-known/jwks.json` publishes them.
    func publicKeys(at now: Date) async throws -> JWKS {
        _ = try await self.signingKey(at: now)
        let records = self.loaded.withLock { $0?.records ?? [] }.filter { self.isValid($0.slot, at: now) }
        var keys: [JWK] = []
        for record in records {
            guard let parameters = try ES384PrivateKey(pem: record.privateKey).parameters else { continue }
            keys.append(
                .ecdsa(
                    .es384,
                    identifier: JWKIdentifier(string: record.kid),
                    x: parameters.x,
                    y: parameters.y,
                    curve: .p384
                )
            )
        }
        return JWKS(keys: keys)
    }

    // MARK: - Slots

    private var rotationSeconds: Double { max(1, Double(self.settings.keyRotation.components.seconds)) }
    private var overlapSeconds: Double { Double(self.settings.keyOverlap.components.seconds) }

    func slot(at time: Date) -> Int64 { Int64((time.timeIntervalSince1970 / self.rotationSeconds).rounded(.down)) }

    /// A slot's key is valid from `overlap` before the slot begins until `overlap` after it ends.
    private func isValid(_ slot: Int64, at now: Date) -> Bool {
        slot >= self.slot(at: now.addingTimeInterval(-self.overlapSeconds))
            && slot <= self.slot(at: now.addingTimeInterval(self.overlapSeconds))
    }

    // MARK: - Loading

    /// The loaded keys, reloaded first when `isEnough` says they lack something and the last load is more
    /// than a second old (or there was none).
    private func current(refreshingUnless isEnough: ([SigningKeyRecord]) -> Bool) async throws -> Loaded {
        let cached = self.loaded.withLock { $0 }
        if let cached, isEnough(cached.records) || ContinuousClock.now - cached.loadedAt < .seconds(1) {
            return cached
        }
        return try await self.reload(now: Date())
    }

    private func reload(now: Date) async throws -> Loaded {
        let oldest = self.slot(at: now.addingTimeInterval(-self.overlapSeconds))
        let records = try await self.store.signingKeys(fromSlot: oldest)
        let keys = JWTKeyCollection()
        for record in records where record.algorithm == Self.algorithm {
            await keys.add(ecdsa: try ES384PrivateKey(pem: record.privateKey), kid: JWKIdentifier(string: record.kid))
        }
        let loaded = Loaded(records: records, keys: keys, loadedAt: .now)
        self.loaded.withLock { $0 = loaded }
        return loaded
    }
}
