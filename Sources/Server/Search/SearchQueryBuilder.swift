import FHIRCore
import Foundation
import HTTPTypes
import Store

/// Turns a ``SearchRequest`` into the store's ``Store/ResourceQuery`` for one principal: the values as
/// index tokens (``SearchIndex``), a sender's own ids and references resolved in its namespace, chains
/// resolved to the patients they name.
struct SearchQueryBuilder: Sendable {
    let store: any Store

    /// Most patients a chained search (`patient.identifier=…`) may resolve to.
    static let chainLimit = 1000

    func query(
        _ request: SearchRequest,
        principal: Principal,
        scope: ResourceQuery.Scope,
        after cursor: ResourceQuery.Cursor?
    ) async throws -> ResourceQuery {
        var query = ResourceQuery(
            type: request.type,
            updatedFrom: request.lastUpdated.from,
            updatedBefore: request.lastUpdated.before,
            scope: scope,
            order: request.newestFirst ? .newestFirst : .oldestFirst,
            after: cursor,
            count: request.count
        )
        for criterion in request.criteria {
            switch criterion.name {
            case "_id":
                let ids = try await self.ownIDs(criterion.values, type: request.type, principal: principal)
                query.ids = query.ids.map { Array(Set($0).intersection(ids)) } ?? ids
            case "identifier":
                query.tokens.append(try criterion.values.map(Self.identifierToken))
            case "status", "intent":
                query.tokens.append(criterion.values.map { "\(criterion.name) \($0.split(separator: "|").last ?? "")" })
            case "category":
                query.tokens.append(criterion.values.map { "category \($0)" })
            case "name":
                let words = criterion.values.map(SearchIndex.words)
                if words.count == 1 {
                    for word in words[0] { query.prefixes.append(["name \(word)"]) }
                } else {
                    query.prefixes.append(words.compactMap { $0.first.map { "name \($0)" } })
                }
            case "patient", "subject", "based-on":
                query.tokens.append(try await self.referenceTokens(criterion, principal: principal))
            default:
                break
            }
        }
        return query
    }

    /// `system|value` as it is; `value` alone as its own token; `system|` (any value) is not indexed.
    static func identifierToken(_ value: String) throws(FHIRError) -> String {
        guard value.contains("|") else { return "identifier \(value)" }
        guard !value.hasSuffix("|") else {
            throw FHIRError(
                .badRequest,
                .notSupported,
                "identifier=\(value): a system without a value is not supported"
            )
        }
        return value
    }

    /// The `subject …` or `based-on …` tokens a reference criterion matches.
    private func referenceTokens(_ criterion: SearchRequest.Criterion, principal: Principal) async throws -> [String] {
        let prefix = criterion.name == "based-on" ? "based-on " : "subject "
        if criterion.chain != nil {
            var patients: [String] = []
            for value in criterion.values {
                let token = try Self.identifierToken(value)
                let page = try await self.store.search(
                    ResourceQuery(type: "Patient", tokens: [[token]], scope: .everything, count: Self.chainLimit)
                )
                patients += page.resources.map { "Patient/\($0.id)" }
            }
            return patients.map { prefix + $0 }
        }
        let targets = criterion.modifier.map { [$0] } ?? SearchParameter.targets(of: criterion.name)
        var names: [ResourceName] = []
        for value in criterion.values {
            switch ReferenceText(value) {
            case .restful(_, let name, _):
                if criterion.name == "patient", name.type != "Patient" { continue }
                names.append(name)
            default:
                guard ReferenceText.isID(value) else {
                    throw FHIRError(.badRequest, .value, "\(criterion.name)=\(value) is not a reference or an id")
                }
                names += targets.map { ResourceName(type: $0, id: value) }
            }
        }
        return try await self.resolve(names, principal: principal).map { prefix + $0.description }
    }

    /// A sender's names as the gateway ids its references were rewritten to; others' as they are.
    private func resolve(_ names: [ResourceName], principal: Principal) async throws -> [ResourceName] {
        guard let sender = principal.sender, !names.isEmpty else { return names }
        let namespace = SenderNamespace(
            sender: sender.name,
            lookup: try await self.store.lookUp(Set(names), sender: sender.name)
        )
        return names.map { ResourceName(type: $0.type, id: namespace.referenceTarget($0)) }
    }

    /// `_id` values: a sender's own ids resolve to the gateway ids of its resources.
    private func ownIDs(_ ids: [String], type: String, principal: Principal) async throws -> [String] {
        guard let sender = principal.sender else { return ids }
        let names = ids.map { ResourceName(type: type, id: $0) }
        let namespace = SenderNamespace(
            sender: sender.name,
            lookup: try await self.store.lookUp(Set(names), sender: sender.name)
        )
        return names.map { namespace.ownResource($0) ?? $0.id }
    }
}
