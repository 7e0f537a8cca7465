import CoManagement
import FHIRCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Store

/// `GET /unmatched`: the referrals no episode holds because no service line matched their codes, for
/// operators: what the mappings miss, with the codes to add (`tandem unmatched` prints the same).
struct UnmatchedRoutes: Sendable {
    let store: any Store
    let metrics: GatewayMetrics
    let access: ReadAccess

    static let defaultLimit = 100
    static let maximumLimit = 1000
    /// The types an unmatched referral can be: a SMART grant must permit searching all of them.
    static let referralTypes = ["ServiceRequest", "Task", "CarePlan"]

    /// One listed referral, as JSON.
    struct Listed: Encodable {
        var key: String
        var resourceType: String
        var path: String
        var codes: [Coding]
        var serviceLine: String?
        var sender: String
        var mappingsVersion: String?
        var recordedAt: String
    }

    func register(on unmatched: RouterGroup<GatewayRequestContext>) {
        unmatched.get(use: self.list)
    }

    /// `{"unmatched": [ … ]}`, the most recently found first; `_count` limits the list.
    @Sendable func list(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        try self.access.requireOperator(
            try RouteInput.principal(context),
            toSearch: Self.referralTypes,
            what: "the unmatched referrals"
        )
        let limit = try RouteInput.count(request, default: Self.defaultLimit, maximum: Self.maximumLimit)
        let records = try await self.metrics.timeStore("unmatched") {
            try await self.store.unmatchedReferrals(limit: limit)
        }
        context.access.note(entity: "unmatched")
        context.access.note(detail: "\(records.count) referrals")
        let listed = records.map { record in
            Listed(
                key: record.referral.key,
                resourceType: record.referral.resourceType,
                path: record.referral.path,
                codes: record.referral.codes,
                serviceLine: record.referral.serviceLine,
                sender: record.sender,
                mappingsVersion: record.mappingsVersion,
                recordedAt: FHIRTime.instant(record.recordedAt)
            )
        }
        let body = try SortedKeysJSONEncoder().encode(["unmatched": listed])
        return Response(
            status: .ok,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: body))
        )
    }
}
