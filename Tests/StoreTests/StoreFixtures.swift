import CoManagement
import Foundation
import Store

enum Fixture {
    static let at = Date(timeIntervalSince1970: 1_770_000_000)

    static func message(
        _ writes: [ResourceWrite],
        atomic: Bool = true,
        interaction: String = "create",
        episodes: [Ingestion.EpisodeChange] = []
    ) -> IngestMessage {
        IngestMessage(
            received: ReceivedMessage(
                body: Array(#"{"resourceType":"Bundle"}"#.utf8),
                contentType: "application/fhir+json",
                sender: "st-marys",
                correlationID: UUID().uuidString,
                receivedAt: Self.at,
                interaction: interaction
            ),
            writes: writes,
            atomic: atomic,
            episodes: episodes
        )
    }

    static func serviceRequest(status: String = "active") -> [UInt8] {
        Array(#"{"resourceType":"ServiceRequest","status":"\#(status)","intent":"order"}"#.utf8)
    }

    static func create(
        _ type: String = "ServiceRequest",
        id: String = UUID().uuidString.lowercased(),
        content: [UInt8] = Fixture.serviceRequest(),
        identifierKey: String? = "urn:oid:1.2.3|SR-1",
        ifNoneExist: String? = nil
    ) -> ResourceWrite {
        ResourceWrite(
            type: type,
            mode: .create(proposedID: id, ifNoneExist: ifNoneExist),
            content: content,
            identifierKey: identifierKey,
            identifiers: identifierKey.map { [$0] } ?? []
        )
    }

    static func update(
        _ type: String = "Patient",
        id: String,
        content: String,
        ifMatch: Int? = nil,
        identifiers: [String] = []
    ) -> ResourceWrite {
        ResourceWrite(
            type: type,
            mode: .update(id: id, ifMatch: ifMatch),
            content: Array(content.utf8),
            identifiers: identifiers
        )
    }
}

extension IngestResult {
    /// The results of a message whose writes all succeeded.
    func successes() throws -> [WriteResult] {
        try self.entries.map { try $0.get() }
    }
}
