import Foundation
import Store
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Two `tandem serve` replicas on one PostgreSQL database forward through one elected replica: what the
/// other accepts reaches the partner by its announcement, and when the elected one stops, the other takes
/// its place.
@Suite(.serialized) struct ServeReplicaForwardingTests {
    static let samples = ServerProcess.repository.appendingPathComponent("Samples/ophthalmology.cataract")

    /// The forwarders poll once an hour: only the announcement can bring the follower's referral out in
    /// time, and only the takeover can bring out what is accepted after the elected replica stopped.
    @Test func oneReplicaForwardsWhatEitherAcceptsAndTheOtherTakesOverWhenItStops() async throws {
        let sink = try SinkProcess(["--secret", "s3cret"])
        let directory = try ServerProcess.temporaryDirectory()
        let config = try ServeDeliveryTests.hourlyPollConfiguration(partner: sink, in: directory)
        defer { _ = sink.stop() }
        try await LiveBackend.withDatabase { storeURL in
            var replicas: [ServerProcess] = []
            defer { for replica in replicas { _ = replica.stop() } }
            for _ in 0..<2 {
                replicas.append(try await ServerProcess.start(in: directory, config: config, storeURL: storeURL))
            }

            // One replica, and one only, holds the seat.
            let elected = try await Self.waitForOneForwarding(replicas)
            let leader = replicas[elected]
            let follower = replicas[1 - elected]

            // The referral goes to the replica that does not forward; the elected one delivers its three
            // events.
            try await Self.post("01-referral.json", "POST", "fhir", to: follower)
            let delivered = try await Self.waitFor { try await Self.delivered(by: leader) == 3 }
            #expect(delivered, "the elected replica logged: \(leader.logText)")
            #expect(try await Self.delivered(by: follower) == 0)

            // The elected replica stops; the other is elected and delivers the acceptance it takes.
            #expect(leader.stop() == 0)
            #expect(try await Self.waitFor { try await Self.forwarding(follower) == 1 }, "\(follower.logText)")
            try await Self.post("02-acceptance.json", "PUT", "fhir/Task/les-tsk-26-01182", to: follower)
            let lines = sink.stop(afterLines: 5, timeout: .seconds(15)).filter { $0.contains("event=") }
            #expect(lines.count == 5, "the sink saw: \(lines); the replica logged: \(follower.logText)")
            for (index, line) in lines.enumerated() {
                #expect(line.contains("event=\(index + 1) "), "\(line)")
            }
        }
    }

    static func post(_ sample: String, _ method: String, _ path: String, to server: ServerProcess) async throws {
        let body = try Data(contentsOf: Self.samples.appendingPathComponent(sample))
        let response = try await GatewayClient.send(method, server.baseURL.appendingPathComponent(path), body: body)
        #expect([200, 201].contains(response.status), "\(sample): \(String(decoding: response.body, as: UTF8.self))")
    }

    /// The index of the one replica whose `tandem_delivery_forwarding` is 1, once the others' are 0.
    static func waitForOneForwarding(_ replicas: [ServerProcess]) async throws -> Int {
        var seats: [Double] = []
        let found = try await Self.waitFor {
            seats = []
            for replica in replicas { seats.append(try await Self.forwarding(replica)) }
            return seats.sorted() == [0, 1]
        }
        try #require(found, "tandem_delivery_forwarding: \(seats)")
        return try #require(seats.firstIndex(of: 1))
    }

    static func forwarding(_ server: ServerProcess) async throws -> Double {
        try await Self.metric("tandem_delivery_forwarding", of: server).reduce(0, +)
    }

    /// Deliveries this replica's forwarder made.
    static func delivered(by server: ServerProcess) async throws -> Double {
        try await Self.metric("tandem_deliveries_total", of: server).reduce(0, +)
    }

    /// The values of `name`'s samples in the replica's `/metrics`.
    static func metric(_ name: String, of server: ServerProcess) async throws -> [Double] {
        let text = String(
            decoding: try await GatewayClient.send("GET", server.baseURL.appendingPathComponent("metrics")).body,
            as: UTF8.self
        )
        return text.split(separator: "\n").compactMap { line in
            guard line.hasPrefix(name + " ") || line.hasPrefix(name + "{") else { return nil }
            return line.split(separator: " ").last.flatMap { Double($0) }
        }
    }

    /// Waits until `condition` holds, at most fifteen seconds; whether it did.
    static func waitFor(_ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }
}
