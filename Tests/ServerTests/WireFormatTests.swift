import FHIRCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import Server

/// What interface engines send on the wire: compressed bodies, a byte order mark, FHIR version
/// parameters; compressed answers; and the public base URL behind a proxy.
@Suite struct WireFormatTests {
    typealias F = GatewayFixture

    static let patient = Array(#"{"resourceType":"Patient","gender":"female"}"#.utf8)

    static func post(
        _ client: any TestClientProtocol,
        _ body: [UInt8],
        headers extra: HTTPFields
    ) async throws -> TestResponse {
        try await client.execute(
            uri: "/fhir/Patient",
            method: .post,
            headers: F.headers(.json, extra: extra),
            body: ByteBuffer(bytes: body)
        )
    }

    @Test func gzipAndDeflateBodiesAreRead() async throws {
        try await F.withGateway { client in
            let gzip = Zlib.gzip(Self.patient)
            #expect(try await Self.post(client, gzip, headers: [.contentEncoding: "gzip"]).status == .created)
            #expect(try await Self.post(client, gzip, headers: [.contentEncoding: "x-gzip"]).status == .created)
            // HTTP's deflate is zlib-wrapped; some clients send it bare. Both are read.
            let zlib = try Self.deflate(Self.patient, raw: false)
            let raw = try Self.deflate(Self.patient, raw: true)
            #expect(try await Self.post(client, zlib, headers: [.contentEncoding: "deflate"]).status == .created)
            #expect(try await Self.post(client, raw, headers: [.contentEncoding: "deflate"]).status == .created)
            let corrupt = try await Self.post(client, Array(gzip.prefix(12)), headers: [.contentEncoding: "gzip"])
            #expect(corrupt.status == .badRequest)
            #expect(
                try await Self.post(client, Self.patient, headers: [.contentEncoding: "br"]).status
                    == .unsupportedMediaType
            )
        }
    }

    @Test func theLimitCountsWhatABodyInflatesTo() async throws {
        try await F.withGateway(maximumBodyBytes: 64 << 10) { client in
            // 1 MiB of spaces is a valid JSON body's padding and a few KiB gzipped: a small bomb.
            let bomb = Zlib.gzip(Self.patient + Array(repeating: UInt8(ascii: " "), count: 1 << 20))
            #expect(bomb.count < 64 << 10)
            let response = try await Self.post(client, bomb, headers: [.contentEncoding: "gzip"])
            #expect(response.status == .contentTooLarge)
            #expect(try F.resource(response, .json).child("issue")?.string("code") == "too-costly")
        }
    }

    @Test func aByteOrderMarkIsIgnored() async throws {
        try await F.withGateway { client in
            #expect(try await Self.post(client, [0xEF, 0xBB, 0xBF] + Self.patient, headers: [:]).status == .created)
            let xml = Array(#"<Patient xmlns="http://hl7.org/fhir"><gender value="male"/></Patient>"#.utf8)
            var headers = F.headers(.xml)
            headers[.contentType] = "application/fhir+xml"
            let response = try await client.execute(
                uri: "/fhir/Patient",
                method: .post,
                headers: headers,
                body: ByteBuffer(bytes: [0xEF, 0xBB, 0xBF] + xml)
            )
            #expect(response.status == .created)
        }
    }

    @Test func anotherFHIRVersionIsRefusedWithAnOutcome() async throws {
        try await F.withGateway { client in
            func post(_ contentType: String) async throws -> TestResponse {
                var headers = F.headers(.json)
                headers[.contentType] = contentType
                return try await client.execute(
                    uri: "/fhir/Patient",
                    method: .post,
                    headers: headers,
                    body: ByteBuffer(bytes: Self.patient)
                )
            }
            let r5 = try await post("application/fhir+json; fhirVersion=5.0")
            #expect(r5.status == .unsupportedMediaType)
            #expect(try F.resource(r5, .json).type == "OperationOutcome")
            #expect(try await post("application/fhir+json; fhirVersion=4.0").status == .created)
            #expect(try await post("application/fhir+json;fhirVersion=\"4.0.1\"").status == .created)
            var headers = F.headers(.json)
            headers[.accept] = "application/fhir+json; fhirVersion=5.0"
            let accept = try await client.execute(uri: "/fhir/Patient", method: .get, headers: headers)
            #expect(accept.status == .notAcceptable)
            headers[.accept] = "application/fhir+json; fhirVersion=5.0, application/fhir+json; fhirVersion=4.0"
            #expect(try await client.execute(uri: "/fhir/Patient", method: .get, headers: headers).status == .ok)
        }
    }

    @Test func answersAreGzippedWhenTheClientTakesIt() async throws {
        try await F.withGateway { client in
            for _ in 0..<5 { _ = try await Self.post(client, Self.patient, headers: [:]) }
            let compressed = try await client.execute(
                uri: "/fhir/Patient",
                method: .get,
                headers: F.headers(.json, extra: [.acceptEncoding: "gzip, deflate"])
            )
            #expect(compressed.status == .ok)
            #expect(compressed.headers[.contentEncoding] == "gzip")
            #expect(compressed.headers[.vary] == "Accept-Encoding")
            let inflated = try Zlib.inflate(Array(compressed.body.readableBytesView), format: .gzip, limit: 1 << 20)
            let bundle = try FHIRJSON.read(inflated).root
            #expect(bundle.string("total") == "5")
            let plain = try await client.execute(
                uri: "/fhir/Patient",
                method: .get,
                headers: F.headers(.json, extra: [.acceptEncoding: "gzip;q=0"])
            )
            #expect(plain.headers[.contentEncoding] == nil)
            let small = try await client.execute(
                uri: "/fhir/metadata",
                method: .get,
                headers: [.acceptEncoding: "identity"]
            )
            #expect(small.headers[.contentEncoding] == nil)
        }
    }

    @Test func thePublicBaseURLNamesEverything() async throws {
        let configure: @Sendable (inout GatewaySettings) -> Void = { $0.baseURL = "https://tandem.example.org/fhir/" }
        try await F.withGateway(configure: configure) { client in
            let created = try await Self.post(client, Self.patient, headers: [:])
            #expect(created.headers[.location]?.hasPrefix("https://tandem.example.org/fhir/Patient/") == true)
            let search = try await client.execute(uri: "/fhir/Patient", method: .get, headers: F.headers(.json))
            let bundle = try F.resource(search, .json)
            #expect(SearchTests.link(bundle, "self") == "https://tandem.example.org/fhir/Patient")
            #expect(
                bundle.child("entry")?.string("fullUrl")?.hasPrefix("https://tandem.example.org/fhir/Patient/") == true
            )
            let metadata = try F.resource(try await client.execute(uri: "/fhir/metadata", method: .get), .json)
            let topics =
                metadata.child("rest")?.children(named: "resource").first { $0.string("type") == "Subscription" }?
                .children(named: "extension").compactMap { $0.string("value") } ?? []
            #expect(topics.contains("https://tandem.example.org/fhir/SubscriptionTopic/referral"))
        }
    }

    /// A deflate body built by hand: one stored block (RFC 1951 §3.2.4), in a zlib stream (RFC 1950)
    /// unless `raw`.
    static func deflate(_ bytes: [UInt8], raw: Bool) throws -> [UInt8] {
        // A single stored block: BFINAL=1, BTYPE=00, then LEN and NLEN little-endian, then the bytes.
        let length = UInt16(bytes.count)
        var block: [UInt8] = [
            0x01, UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8(~length >> 8),
        ]
        block += bytes
        guard !raw else { return block }
        var a: UInt32 = 1
        var b: UInt32 = 0
        for byte in bytes {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        let adler = (b << 16) | a
        return [0x78, 0x01] + block + [
            UInt8(adler >> 24), UInt8((adler >> 16) & 0xFF), UInt8((adler >> 8) & 0xFF), UInt8(adler & 0xFF),
        ]
    }
}
