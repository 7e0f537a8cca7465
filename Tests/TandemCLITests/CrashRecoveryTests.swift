import Foundation
import Synchronization
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// The promise of issue 4: a 2xx means the message is durable. The server is killed with SIGKILL under
/// concurrent load; after a restart on the same data every acknowledged message reads back as posted.
@Suite(.serialized) struct CrashRecoveryTests {
    static let messages = 300
    static let inFlight = 32
    /// Kill once this many messages have been acknowledged, with more still in flight.
    static let killAfter = 120

    /// One acknowledged create: where the server said it is, and what was posted.
    struct Acknowledged: Sendable {
        var location: String
        var value: String
    }

    static func patient(_ value: String, xml: Bool) -> Data {
        let text =
            xml
            ? #"<Patient xmlns="http://hl7.org/fhir"><identifier><system value="urn:oid:1.2.9"/><value value="\#(value)"/></identifier><name><family value="F\#(value)"/></name></Patient>"#
            : #"{"resourceType":"Patient","identifier":[{"system":"urn:oid:1.2.9","value":"\#(value)"}],"name":[{"family":"F\#(value)"}]}"#
        return Data(text.utf8)
    }

    @Test func everyAcknowledgedMessageSurvivesKillNine() async throws {
        let server = try await ServerProcess.start()
        let url = server.baseURL.appendingPathComponent("fhir/Patient")
        let pid = server.process.processIdentifier
        let log = AcknowledgementLog()

        await withTaskGroup(of: Void.self) { group in
            for index in 0..<Self.messages {
                if index >= Self.inFlight { await group.next() }
                group.addTask {
                    let value = "CRASH-\(index)"
                    let xml = index % 2 == 1
                    let response = try? await GatewayClient.send(
                        "POST",
                        url,
                        body: Self.patient(value, xml: xml),
                        contentType: xml ? "application/fhir+xml" : "application/fhir+json"
                    )
                    guard let response, (200..<300).contains(response.status),
                        let location = response.headers["Location"] as? String
                    else { return }
                    let shouldKill = log.record(
                        Acknowledged(location: location, value: value),
                        killAfter: Self.killAfter
                    )
                    if shouldKill { kill(pid, SIGKILL) }
                }
            }
        }
        server.process.waitUntilExit()
        #expect(server.process.terminationReason == .uncaughtSignal, "the server was killed, not stopped")
        let acks = log.all
        #expect(acks.count >= Self.killAfter)
        #expect(acks.count < Self.messages, "the kill happened mid-load")

        let restarted = try await ServerProcess.start(in: server.directory)
        defer { restarted.stop() }
        var lost: [String] = []
        for ack in acks {
            let path = URL(string: ack.location)?.path ?? ack.location
            let read = try await GatewayClient.send("GET", restarted.baseURL.appendingPathComponent(path))
            let resource = try? JSONSerialization.jsonObject(with: read.body) as? [String: Any]
            let identifier = (resource?["identifier"] as? [[String: Any]])?.first?["value"] as? String
            let family = (resource?["name"] as? [[String: Any]])?.first?["family"] as? String
            if read.status != 200 || identifier != ack.value || family != "F" + ack.value { lost.append(ack.value) }
        }
        #expect(lost.isEmpty, "acknowledged but lost or changed after kill -9: \(lost)")
    }
}

/// The acknowledgements the concurrent senders collect, and the one decision to kill.
final class AcknowledgementLog: Sendable {
    private struct State {
        var acknowledged: [CrashRecoveryTests.Acknowledged] = []
        var killed = false
    }

    private let state = Mutex(State())

    /// Records an acknowledgement; true exactly once, for the one that reaches `killAfter`.
    func record(_ ack: CrashRecoveryTests.Acknowledged, killAfter: Int) -> Bool {
        self.state.withLock { state in
            state.acknowledged.append(ack)
            guard state.acknowledged.count >= killAfter, !state.killed else { return false }
            state.killed = true
            return true
        }
    }

    var all: [CrashRecoveryTests.Acknowledged] { self.state.withLock { $0.acknowledged } }
}
