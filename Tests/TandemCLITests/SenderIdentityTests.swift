import FHIRCore
import Foundation
import Testing

@testable import Server
@testable import tandem

/// Issue "sender-scoped identity and access", through the real HTTP server on SQLite and PostgreSQL: a
/// sender's own ids resolve in its own namespace across messages; senders neither overwrite nor read each
/// other's resources; partners read what they are routed, as consent permits; no answer carries database text.
@Suite(.serialized) struct SenderIdentityTests {
    typealias Series = OwnIDSeries
    static let demo = GatewayClient.token
    static let lakeside = "demo-token-lakeside-eye-surgery"

    @Test(arguments: LiveBackend.allCases, [true, false])
    func aSendersOwnIdsResolveInEveryLaterMessage(backend: LiveBackend, putEntries: Bool) async throws {
        try await backend.withServer { server in
            let fhir = server.baseURL.appendingPathComponent("fhir")
            let sent = [
                try await GatewayClient.send("POST", fhir, body: Series.referral(put: putEntries)),
                try await GatewayClient.send("PUT", fhir.appendingPathComponent("Task/t-7"), body: Series.acceptance),
                try await GatewayClient.send(
                    "PUT",
                    fhir.appendingPathComponent("ServiceRequest/sr-7"),
                    body: Series.completion
                ),
            ]
            for answer in sent { #expect(answer.status / 100 == 2, "\(String(decoding: answer.body, as: UTF8.self))") }

            let episodes = try await Self.episodes(server, token: Self.demo)
            try #require(episodes.count == 1, "\(episodes.map { $0["id"] ?? "" })")
            let referral = try #require((episodes[0]["referrals"] as? [[String: Any]])?.first)
            let lifecycle = referral["lifecycle"] as? [String: Any] ?? [:]
            #expect(lifecycle["acceptedAt"] as? String == "2026-03-02T11:00:00-05:00")
            #expect(referral["status"] as? String == "completed")
            let kinds = (episodes[0]["timeline"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
            let accepted = try #require(kinds.firstIndex(of: "referral-accepted"), "\(kinds)")
            let completed = try #require(kinds.firstIndex(of: "referral-completed"), "\(kinds)")
            #expect(accepted < completed)

            // The sender reads its referral by its own id, and sees that id; partners get the gateway's.
            let read = try await GatewayClient.send("GET", fhir.appendingPathComponent("ServiceRequest/sr-7"))
            let resource = try JSONSerialization.jsonObject(with: read.body) as? [String: Any]
            #expect(
                read.status == 200 && resource?["id"] as? String == "sr-7"
                    && resource?["status"] as? String == "completed"
            )
            let gatewayReference = try #require(referral["reference"] as? String)
            #expect(gatewayReference.hasPrefix("ServiceRequest/") && gatewayReference != "ServiceRequest/sr-7")
            let byGatewayID = try await GatewayClient.send("GET", fhir.appendingPathComponent(gatewayReference))
            #expect(byGatewayID.status == 200)
        }
    }

    @Test(arguments: LiveBackend.allCases)
    func sendersNeitherOverwriteNorReadEachOthersResources(backend: LiveBackend) async throws {
        try await backend.withServer { server in
            let fhir = server.baseURL.appendingPathComponent("fhir")
            let patient = fhir.appendingPathComponent("Patient/p1")
            let mine = try await GatewayClient.send("PUT", patient, body: Series.patient("p1", gender: "female"))
            let theirs = try await GatewayClient.send(
                "PUT",
                patient,
                body: Series.patient("p1", gender: "male"),
                token: Self.lakeside
            )
            #expect(mine.status == 201 && theirs.status == 201, "each sender's Patient/p1 is its own, new resource")
            #expect(try Self.field("gender", of: try await GatewayClient.send("GET", patient)) == "female")
            let other = try await GatewayClient.send("GET", patient, token: Self.lakeside)
            #expect(try Self.field("gender", of: other) == "male")

            // The first sender's resource under the gateway's id: another sender cannot see it exists…
            let gatewayID = ServerAssignedID.derived(sender: "demo-hospital", type: "Patient", senderID: "p1")
            let foreign = fhir.appendingPathComponent("Patient/\(gatewayID)")
            #expect(try await GatewayClient.send("GET", foreign, token: Self.lakeside).status == 404)
            #expect(try await GatewayClient.send("GET", foreign).status == 200)
            // …nor change it: a PUT to that id writes a resource of its own.
            let write = try await GatewayClient.send(
                "PUT",
                foreign,
                body: Series.patient(gatewayID, gender: "other"),
                token: Self.lakeside
            )
            #expect(write.status == 201)
            #expect(try Self.field("gender", of: try await GatewayClient.send("GET", foreign)) == "female")

            // Episodes and the audit trail: a sender lists none of another's; only operators read the trail.
            #expect(
                try await GatewayClient.send("POST", fhir, body: Series.referral(put: true)).status == 200
            )
            #expect(try await Self.episodes(server, token: Self.demo).count == 1)
            #expect(try await Self.episodes(server, token: Self.lakeside).isEmpty)
            let audit = fhir.appendingPathComponent("AuditEvent")
            #expect(try await GatewayClient.send("GET", audit).status == 403)
            #expect(try await GatewayClient.send("GET", audit, token: GatewayClient.operatorToken).status == 200)
        }
    }

    @Test(arguments: LiveBackend.allCases)
    func partnersReadWhatTheyAreRoutedAsConsentPermits(backend: LiveBackend) async throws {
        let directory = try ServerProcess.temporaryDirectory()
        let nowhere = "http://127.0.0.1:9/notify"
        let config = try ServerProcess.writeConfiguration(
            [
                "partners": [
                    Self.partner("heart", nowhere, token: "heart-token", serviceLines: ["cardiology.service-line"]),
                    Self.partner("eye", nowhere, token: "eye-token", serviceLines: ["ophthalmology.cataract"]),
                    // The clinician the cardiology scenario's Consent (step 05) denies.
                    Self.partner(
                        "lindahl",
                        nowhere,
                        token: "lindahl-token",
                        serviceLines: ["cardiology.service-line"],
                        represents: ["http://regional-hie.example.org/fhir/sid/provider-directory|PD-5139047"]
                    ),
                ]
            ],
            in: directory
        )
        try await backend.withServer(config: config, in: directory) { server in
            let cardiology = try #require(GoldenScenario.all.first { $0.folder == "cardiology.service-line" })
            let poster = GatewayPoster(
                base: server.baseURL.appendingPathComponent("fhir").absoluteString,
                token: "demo-token-\(cardiology.sender)",
                timeout: .seconds(30)
            )
            for step in cardiology.steps.dropLast() {
                await poster.post([(step.file, try cardiology.bytes(step.file, .json))]) { _ in
                } report: { _, _, result in
                    #expect(result.succeeded, "\(step.file)")
                }
            }
            let episode = try #require(try await Self.episodes(server, token: "heart-token").first)
            let id = try #require(episode["id"] as? String)
            let referral = try #require((episode["referrals"] as? [[String: Any]])?.first?["reference"] as? String)
            let episodeURL = server.baseURL.appendingPathComponent("episodes/\(id)")
            let resourceURL = server.baseURL.appendingPathComponent("fhir/\(referral)")
            // Routed: reads the episode and what it holds. Not routed: cannot see either exists.
            #expect(try await GatewayClient.send("GET", episodeURL, token: "heart-token").status == 200)
            #expect(try await GatewayClient.send("GET", resourceURL, token: "heart-token").status == 200)
            #expect(try await GatewayClient.send("GET", episodeURL, token: "eye-token").status == 404)
            #expect(try await GatewayClient.send("GET", resourceURL, token: "eye-token").status == 404)
            #expect(try await Self.episodes(server, token: "eye-token").isEmpty)
            #expect(try await GatewayClient.send("GET", resourceURL, token: "lindahl-token").status == 200)
            // A partner writes nothing (yet).
            let write = try await GatewayClient.send(
                "PUT",
                server.baseURL.appendingPathComponent("fhir/Patient/x"),
                body: Series.patient("x", gender: "male"),
                token: "heart-token"
            )
            #expect(write.status == 403)

            // The patient's Consent now denies Dr Lindahl: his practice reads nothing more of it.
            let consent = try #require(cardiology.steps.last)
            await poster.post([(consent.file, try cardiology.bytes(consent.file, .json))]) { _ in
            } report: { _, _, result in
                #expect(result.succeeded)
            }
            let refused = try await GatewayClient.send("GET", episodeURL, token: "lindahl-token")
            #expect(refused.status == 403, "\(String(decoding: refused.body, as: UTF8.self))")
            #expect(String(decoding: refused.body, as: UTF8.self).contains("OperationOutcome"))
            #expect(try await GatewayClient.send("GET", resourceURL, token: "lindahl-token").status == 403)
            #expect(try await Self.episodes(server, token: "lindahl-token").isEmpty)
            #expect(try await GatewayClient.send("GET", episodeURL, token: "heart-token").status == 200)
        }
    }

    /// A referral POSTed again (no id of the sender's, the same business identifier) lands on the first:
    /// the server plans no holder for it on PostgreSQL (``Store/normalisesAhead``), so the transaction
    /// must find it.
    @Test(arguments: LiveBackend.allCases)
    func aReferralPostedAgainUpdatesTheResourceItsIdentifierNames(backend: LiveBackend) async throws {
        try await backend.withServer { server in
            let collection = server.baseURL.appendingPathComponent("fhir/ServiceRequest")
            var locations: [String] = []
            for status in ["active", "on-hold"] {
                var referral = Series.serviceRequest(status: status)
                referral.removeValue(forKey: "id")
                let answer = try await GatewayClient.send(
                    "POST",
                    collection,
                    body: try JSONSerialization.data(withJSONObject: referral)
                )
                #expect(answer.status / 100 == 2, "\(String(decoding: answer.body, as: UTF8.self))")
                locations.append(answer.headers["Location"] as? String ?? "")
            }
            let ids = locations.map { $0.components(separatedBy: "/ServiceRequest/").last?.split(separator: "/").first }
            #expect(ids[0] != nil && ids[0] == ids[1], "\(locations)")
            #expect(locations[1].hasSuffix("/_history/2"), "\(locations)")
            let found = try await GatewayClient.send(
                "GET",
                try #require(
                    URL(string: collection.absoluteString + "?identifier=urn:oid:2.16.840.1.113883.3.999.7|ORD-7")
                )
            )
            let bundle = try JSONSerialization.jsonObject(with: found.body) as? [String: Any]
            let entries = bundle?["entry"] as? [[String: Any]] ?? []
            #expect(entries.count == 1)
            #expect((entries.first?["resource"] as? [String: Any])?["status"] as? String == "on-hold")
        }
    }

    @Test(arguments: LiveBackend.allCases)
    func conflictsAreAnsweredInTheDomainsWordsNeverTheDatabases(backend: LiveBackend) async throws {
        try await backend.withServer { server in
            let fhir = server.baseURL.appendingPathComponent("fhir")
            #expect(try await GatewayClient.send("POST", fhir, body: Series.referral(put: true)).status == 200)
            // Another of the sender's referrals claiming ORD-7, which sr-7 already carries.
            var other = Series.serviceRequest(status: "active")
            other["id"] = "sr-8"
            let stolen = try await GatewayClient.send(
                "PUT",
                fhir.appendingPathComponent("ServiceRequest/sr-8"),
                body: Series.json([
                    "resourceType": "ServiceRequest", "id": "sr-8", "status": "active", "intent": "order",
                    "subject": ["reference": "Patient/pt-7"],
                ])
            )
            #expect(stolen.status == 201)
            let claim = try await GatewayClient.send(
                "PUT",
                fhir.appendingPathComponent("ServiceRequest/sr-8"),
                body: Series.json(other)
            )
            #expect(claim.status == 409)
            let stale = try await GatewayClient.send(
                "PUT",
                fhir.appendingPathComponent("ServiceRequest/sr-7"),
                body: Series.completion,
                extraHeaders: ["If-Match": #"W/"9""#]
            )
            #expect(stale.status == 412)
            for answer in [claim, stale] {
                let text = String(decoding: answer.body, as: UTF8.self)
                #expect(text.contains("OperationOutcome"), "\(text)")
                for word in Self.databaseWords { #expect(!text.lowercased().contains(word), "'\(word)' in \(text)") }
            }
        }
    }

    /// Words of SQLite's, PostgreSQL's and the drivers' own messages.
    static let databaseWords = [
        "sqlite", "postgres", "sqlstate", "constraint", "unique", "duplicate key", "relation", "syntax error",
        "select ", "insert ", "update resource", "psql", "violates",
    ]

    static func partner(
        _ id: String,
        _ endpoint: String,
        token: String,
        serviceLines: [String],
        represents: [String] = []
    ) -> [String: Any] {
        [
            "id": id, "endpoint": endpoint, "serviceLines": serviceLines, "represents": represents,
            "tokenHash": Self.hash(token), "timeout": "1s",
            "retry": ["baseBackoff": "1s", "maximumBackoff": "5s", "maximumAge": "1h"],
        ]
    }

    static func hash(_ token: String) -> String {
        let result = try? CLIRunner.run(["token-hash", token])
        return result?.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }

    static func episodes(_ server: ServerProcess, token: String) async throws -> [[String: Any]] {
        let read = try await GatewayClient.send("GET", server.baseURL.appendingPathComponent("episodes"), token: token)
        let object = try JSONSerialization.jsonObject(with: read.body) as? [String: Any]
        return object?["episodes"] as? [[String: Any]] ?? []
    }

    static func field(
        _ name: String,
        of answer: (status: Int, headers: [AnyHashable: Any], body: Data)
    ) throws
        -> String?
    {
        (try JSONSerialization.jsonObject(with: answer.body) as? [String: Any])?[name] as? String
    }
}
