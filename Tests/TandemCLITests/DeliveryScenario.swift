import Foundation

/// What the delivery end-to-end tests share: referrals to post, partners to configure, a gateway to start,
/// and the sink's lines read back.
enum DeliveryScenario {
    /// The HMAC secret of every test partner and sink.
    static let secret = "s3cret"

    /// A cataract referral with business identifier `identifier` for patient `patient`. Posting it again
    /// with another status updates the same ServiceRequest (one timeline event); the first post opens an
    /// episode (two events: episode opened, referral created).
    static func referral(_ identifier: String, patient: String, status: String = "active") -> Data {
        Data(
            #"""
            {"resourceType":"ServiceRequest","identifier":[{"system":"urn:oid:2.16.840.1.113883.3.999","value":"\#(identifier)"}],\#
            "status":"\#(status)","intent":"order","code":{"coding":[{"system":"http://www.ama-assn.org/go/cpt","code":"66984"}]},\#
            "subject":{"type":"Patient","identifier":{"system":"http://hospital.example.org/fhir/sid/mrn","value":"\#(patient)"}},\#
            "authoredOn":"2026-03-02T09:00:00Z"}
            """#.utf8
        )
    }

    /// A partner for the whole cataract service line, with quick retries.
    static func partner(_ id: String, _ url: URL, timeout: String = "5s") -> [String: Any] {
        [
            "id": id, "endpoint": url.absoluteString, "serviceLines": ["ophthalmology.cataract"],
            "hmacSecret": Self.secret, "timeout": timeout,
            "retry": ["baseBackoff": "100ms", "maximumBackoff": "500ms", "maximumAge": "5m", "maximumAttempts": 1000],
        ]
    }

    /// Writes a configuration with these partners and delivery settings and starts `tandem serve` on it.
    static func gateway(
        _ partners: [[String: Any]],
        delivery: [String: Any] = ["pollInterval": "50ms"],
        extra: [String: Any] = [:]
    ) async throws -> ServerProcess {
        let directory = try ServerProcess.temporaryDirectory()
        var object: [String: Any] = ["partners": partners, "delivery": delivery]
        object.merge(extra) { _, new in new }
        let config = try ServerProcess.writeConfiguration(object, in: directory)
        return try await ServerProcess.start(in: directory, config: config)
    }

    /// POSTs a referral; the versioned reference (`ServiceRequest/ID/_history/V`) the gateway acknowledged.
    static func post(_ server: URL, _ body: Data) async throws -> String {
        let response = try await GatewayClient.send(
            "POST",
            server.appendingPathComponent("fhir/ServiceRequest"),
            body: body
        )
        guard (200..<300).contains(response.status), let location = response.headers["Location"] as? String,
            let path = URL(string: location)?.path
        else {
            throw ServerFailure(
                "POST ServiceRequest: \(response.status) \(String(decoding: response.body, as: UTF8.self))"
            )
        }
        return String(path.dropFirst("/fhir/".count))
    }

    /// The gateway's episodes (`GET /episodes`), as JSON objects.
    static func episodes(_ server: URL) async throws -> [[String: Any]] {
        var components = URLComponents(url: server.appendingPathComponent("episodes"), resolvingAgainstBaseURL: false)!
        components.queryItems = [URLQueryItem(name: "_count", value: "1000")]
        let response = try await GatewayClient.send("GET", components.url!)
        let object = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
        return object?["episodes"] as? [[String: Any]] ?? []
    }

    /// One line the sink printed about an arrival.
    struct SinkLine: Equatable {
        var delivery: String
        var event: Int
        var episode: String
        var partner: String
        /// The rest: `in-order (…)`, `duplicate (…)`, `ahead (missing 1 so far) (…)`, `failed on purpose (500)`, …
        var verdict: String

        var accepted: Bool { !self.verdict.hasPrefix("failed") && !self.verdict.hasPrefix("rejected") }

        /// Parses `TIME delivery=ID event=N episode=E partner=P VERDICT…`; nil for any other line.
        init?(_ line: String) {
            let words = line.split(separator: " ", maxSplits: 5).map(String.init)
            guard words.count == 6, words[1].hasPrefix("delivery="), words[2].hasPrefix("event="),
                words[3].hasPrefix("episode="), words[4].hasPrefix("partner="),
                let event = Int(words[2].dropFirst("event=".count))
            else { return nil }
            self.delivery = String(words[1].dropFirst("delivery=".count))
            self.event = event
            self.episode = String(words[3].dropFirst("episode=".count))
            self.partner = String(words[4].dropFirst("partner=".count))
            self.verdict = words[5]
        }
    }

    /// Per episode, the event numbers in the order they were first accepted.
    static func firstArrivals(_ lines: [SinkLine]) -> [String: [Int]] {
        var order: [String: [Int]] = [:]
        for line in lines where line.accepted && order[line.episode]?.contains(line.event) != true {
            order[line.episode, default: []].append(line.event)
        }
        return order
    }
}
