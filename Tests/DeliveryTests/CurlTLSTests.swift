import Foundation
import Logging
import NIOPosix
import Testing

@testable import Delivery

/// TLS verification is on by default, a CA bundle makes a private certificate trusted, and a client
/// certificate answers a server that demands one.
@Suite(.enabled(if: TLSTestServer.isAvailable, "needs openssl and python3"))
struct CurlTLSTests {
    let transport = CurlTransport(logger: Logger(label: "tandem.tests.tls"))

    func request(_ url: URL, tls: TLSSettings) -> DeliveryRequest {
        DeliveryRequest(
            partnerID: "tls",
            url: url,
            headers: [("Content-Type", "application/fhir+json")],
            body: Array("{}".utf8),
            timeout: .seconds(5),
            tls: tls
        )
    }

    @Test func untrustedCertificateIsRefused() async throws {
        let server = try TLSTestServer(requireClientCertificate: false)
        let result = await self.transport.send(self.request(server.url, tls: TLSSettings()))
        guard case .failure(let error) = result else {
            Testing.Issue.record("a self-signed certificate must not be trusted by default: \(result)")
            return
        }
        #expect(error.kind == .tls)
        #expect(error.curlCode == 60)
    }

    @Test func caBundleMakesThePartnerTrusted() async throws {
        let server = try TLSTestServer(requireClientCertificate: false)
        let response = try await self.transport.send(
            self.request(server.url, tls: TLSSettings(caBundlePath: server.serverCertificate))
        ).get()
        #expect(response.status == 200)
        #expect(response.excerptText == "ok")
    }

    @Test func mutualTLSNeedsTheClientCertificate() async throws {
        let server = try TLSTestServer(requireClientCertificate: true)
        let without = await self.transport.send(
            self.request(server.url, tls: TLSSettings(caBundlePath: server.serverCertificate))
        )
        guard case .failure = without else {
            Testing.Issue.record("the server demands a client certificate: \(without)")
            return
        }
        let with = try await self.transport.send(
            self.request(
                server.url,
                tls: TLSSettings(
                    caBundlePath: server.serverCertificate,
                    clientCertificatePath: server.clientCertificate,
                    clientKeyPath: server.clientKey
                )
            )
        ).get()
        #expect(with.status == 200)
    }
}
