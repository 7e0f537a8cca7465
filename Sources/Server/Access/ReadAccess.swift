import CoManagement
import FHIRCore
import HTTPTypes
import Store

/// What a principal may read, decided in one place (the README's "Who reads what").
///
/// - An **operator** reads everything, the audit trail included.
/// - A **sender** reads the resources it owns, by its own id or by the gateway id, and the episodes that
///   hold one of them.
/// - A **partner** reads the episodes it has been routed (a delivery was planned for it) and the resources
///   those episodes hold, unless the patient's consent refuses it, as it would refuse a delivery.
///
/// A refusal is 404 wherever the principal is not entitled to know that the resource or episode exists
/// (another sender's resource; an episode never routed to the partner), so that the answer is the same as
/// for an id nobody uses. It is 403 only where the principal knows of it already: a partner refused by
/// consent on an episode it was routed, and the audit trail, whose existence is no secret.
struct ReadAccess: Sendable {
    let store: any Store
    let consentDefaultPermit: Bool

    /// The gateway id of the resource the principal means by `Type/id` and may read; the caller reads it
    /// and answers 404 when it does not exist.
    ///
    /// - Throws: ``FHIRError`` 404 when the principal may not know of it, 403 when consent refuses it.
    func resourceID(type: String, id: String, for principal: Principal) async throws -> String {
        try principal.grant.require(.read, on: type, for: principal)
        let name = ResourceName(type: type, id: id)
        switch principal.role {
        case .operator:
            return id
        case .sender(let sender):
            let lookup = try await self.store.lookUp([name], sender: sender.name)
            guard let own = SenderNamespace(sender: sender.name, lookup: lookup).ownResource(name) else {
                throw Self.notKnown(name.description)
            }
            return own
        case .partner(let partner):
            let holding = try await self.store.episodes(holding: name.description)
            try await self.requireVisible(holding, to: partner, else: Self.notKnown(name.description))
            return id
        }
    }

    /// Refuses an episode the principal may not read.
    ///
    /// - Throws: ``FHIRError`` 404 when the principal may not know of it, 403 when consent refuses it.
    func check(_ record: EpisodeRecord, for principal: Principal) async throws {
        try principal.grant.require(.read, on: Self.episodeScopeType, for: principal)
        let refusal = FHIRError(.notFound, .notFound, "episode '\(record.id)' is not known")
        switch principal.role {
        case .operator:
            return
        case .sender(let sender):
            let members = Self.members(of: record)
            let lookup = try await self.store.lookUp(Set(members), sender: sender.name)
            guard members.contains(where: { lookup.owners[$0] == sender.name }) else { throw refusal }
        case .partner(let partner):
            try await self.requireVisible([record], to: partner, else: refusal)
        }
    }

    /// The scope type episode documents are read under: `*`, since one document gathers resources of every
    /// type (patient, referrals, care plans, consent), so a grant narrowed to some types does not reach it.
    static let episodeScopeType = "*"

    /// The query narrowed to the episodes the principal may list (consent is applied to the results by
    /// ``visible(_:to:)``).
    ///
    /// - Throws: ``FHIRError`` 403 when the principal's grant does not permit searching episodes.
    func narrow(_ query: EpisodeQuery, for principal: Principal) throws(FHIRError) -> EpisodeQuery {
        try principal.grant.require(.search, on: Self.episodeScopeType, for: principal)
        var query = query
        switch principal.role {
        case .operator: break
        case .sender(let sender): query.sender = sender.name
        case .partner(let partner): query.partner = partner.id
        }
        return query
    }

    /// The listed episodes the principal may see: a partner loses those whose consent refuses it.
    func visible(_ records: [EpisodeRecord], to principal: Principal) -> [EpisodeRecord] {
        guard case .partner(let partner) = principal.role else { return records }
        return records.filter { self.consentPermits($0, partner) }
    }

    /// 403 unless the principal is an operator whose grant permits searching every one of `types`.
    func requireOperator(_ principal: Principal, toSearch types: [String], what: String) throws(FHIRError) {
        guard case .operator = principal.role else {
            throw FHIRError(.forbidden, .forbidden, "only operators may read \(what)")
        }
        for type in types {
            try principal.grant.require(.search, on: type, for: principal)
        }
    }

    /// Whose resources a search of `type` may return: everything for an operator, a sender's own, and for
    /// a partner the resources of the episodes it was routed and consent lets it see (as its reads).
    ///
    /// - Throws: ``FHIRError`` 403 when the grant does not permit searching `type`.
    func searchScope(type: String, for principal: Principal) async throws -> ResourceQuery.Scope {
        try principal.grant.require(.search, on: type, for: principal)
        switch principal.role {
        case .operator:
            return .everything
        case .sender(let sender):
            return .owner(sender.name)
        case .partner(let partner):
            let parties = try await self.store.episodeParties(routedTo: partner.id)
            return .episodes(
                parties.filter {
                    $0.consentPermits(representing: partner.represents, defaultPermit: self.consentDefaultPermit)
                }.map(\.id)
            )
        }
    }

    /// Passes when one of `episodes` was routed to the partner and consent lets it see that episode.
    private func requireVisible(
        _ episodes: [EpisodeRecord],
        to partner: PartnerAccount,
        else refusal: FHIRError
    ) async throws {
        let routed = try await self.store.episodes(episodes.map(\.id), routedTo: partner.id)
        let known = episodes.filter { routed.contains($0.id) }
        guard !known.isEmpty else { throw refusal }
        guard known.contains(where: { self.consentPermits($0, partner) }) else {
            throw FHIRError(
                .forbidden,
                .forbidden,
                "the patient's consent does not permit sharing this with partner '\(partner.id)'"
            )
        }
    }

    private func consentPermits(_ record: EpisodeRecord, _ partner: PartnerAccount) -> Bool {
        guard let parties = try? MemberJSONDecoder().decode(EpisodeParties.self, from: record.document) else {
            return false
        }
        return parties.consentPermits(representing: partner.represents, defaultPermit: self.consentDefaultPermit)
    }

    /// The resources an episode holds, from its stored document.
    private static func members(of record: EpisodeRecord) -> [ResourceName] {
        guard let episode = try? MemberJSONDecoder().decode(Episode.self, from: record.document) else { return [] }
        return episode.memberReferences.compactMap { reference in
            let parts = reference.split(separator: "/", maxSplits: 1).map(String.init)
            return parts.count == 2 ? ResourceName(type: parts[0], id: parts[1]) : nil
        }
    }

    private static func notKnown(_ reference: String) -> FHIRError {
        FHIRError(.notFound, .notFound, "\(reference) is not known")
    }
}
