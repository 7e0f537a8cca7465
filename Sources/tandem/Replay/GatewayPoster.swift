import Delivery
import FHIRCore
import Foundation
import Logging

/// Posts replayed files to a running gateway's FHIR base, one at a time and in order.
///
/// The requests go through Delivery's libcurl ``CurlTransport`` rather than URLSession: it already does
/// what a careful client must (no signals, TLS verification on, no `Expect: 100-continue` stall, timeouts,
/// connection reuse), and one HTTP stack is easier to reason about than two. Two request fields exist for
/// this caller: ``DeliveryRequest/method`` (PUT) and ``DeliveryRequest/responseLimit`` (the whole
/// OperationOutcome).
struct GatewayPoster {
    /// One interaction: where a file goes and how.
    struct Target: Equatable {
        var method: String
        /// Relative to the base: empty for a Bundle, `Type` or `Type/id`.
        var path: String
    }

    /// What happened to one file.
    enum Result {
        case answered(status: Int, body: [UInt8])
        case unreachable(String)

        var succeeded: Bool {
            if case .answered(let status, _) = self { return (200...299).contains(status) }
            return false
        }
    }

    let base: String
    let token: String?
    let timeout: Duration

    /// Bundles (transaction, batch, message) go to the base; a resource with an id is PUT to `Type/id`, so
    /// replaying the same file twice updates rather than duplicates; one without is POSTed to `Type`. A
    /// file that cannot be read is POSTed to the base as it is, so the gateway's own OperationOutcome
    /// says what is wrong with it.
    static func target(for bytes: [UInt8]) -> Target {
        guard let root = try? FHIRCodec.read(bytes).root else { return Target(method: "POST", path: "") }
        if root.name == "Bundle" { return Target(method: "POST", path: "") }
        if let id = root.resourceID, !id.isEmpty { return Target(method: "PUT", path: "\(root.name)/\(id)") }
        return Target(method: "POST", path: root.name)
    }

    /// Sends every file through one transport (one transfer thread: the posts are sequential), calling
    /// `sending` before and `report` after each.
    func post(
        _ files: [(name: String, bytes: [UInt8])],
        sending: (Int) -> Void,
        report: (Int, Target, Result) -> Void
    ) async {
        let transport = CurlTransport(threads: 1, logger: Logger(label: "tandem.replay"))
        for (index, file) in files.enumerated() {
            let target = Self.target(for: file.bytes)
            sending(index)
            report(index, target, await self.send(file.bytes, to: target, through: transport))
        }
    }

    private func send(_ bytes: [UInt8], to target: Target, through transport: CurlTransport) async -> Result {
        let path = target.path.isEmpty ? "" : "/" + target.path
        guard let url = URL(string: self.base + path) else { return .unreachable("'\(self.base + path)' is not a URL") }
        var headers: [(name: String, value: String)] = [
            ("Content-Type", (WireFormat.sniff(bytes) ?? .json).mediaType),
            // JSON back whatever was sent, so the OperationOutcome of a refusal can be summarised.
            ("Accept", WireFormat.json.mediaType),
        ]
        if let token = self.token { headers.append(("Authorization", "Bearer \(token)")) }
        let request = DeliveryRequest(
            partnerID: "replay",
            url: url,
            headers: headers,
            body: bytes,
            timeout: self.timeout,
            method: target.method,
            responseLimit: 1 << 20
        )
        switch await transport.send(request) {
        case .success(let response): return .answered(status: response.status, body: response.excerpt)
        case .failure(let error): return .unreachable("\(error)")
        }
    }
}
