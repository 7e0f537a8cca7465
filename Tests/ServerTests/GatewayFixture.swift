import CoManagement
import FHIRCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Server
import Store

/// An in-process gateway over an in-memory store, and the requests tests send to it.
enum GatewayFixture {
    static let token = "st-marys-secret"
    static let limitedToken = "lab-secret"

    static let lakesideToken = "lakeside-secret"
    static let operatorToken = "operator-secret"

    static let senders = [
        Sender(name: "st-marys", tokenHash: Sender.hash(token: Self.token), allowedTypes: ["*"]),
        Sender(name: "lab", tokenHash: Sender.hash(token: Self.limitedToken), allowedTypes: ["Observation"]),
        // A sender with per-sender mapping overrides (Mappings/senders/lakeside-eye-surgery.json).
        Sender(name: "lakeside-eye-surgery", tokenHash: Sender.hash(token: Self.lakesideToken), allowedTypes: ["*"]),
    ]

    /// The repository's `Mappings/`, loaded once: the normaliser every test gateway runs.
    static let normaliser: Normaliser = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Mappings")
        var files: [MappingFile] = []
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        while let url = enumerator?.nextObject() as? URL {
            guard let data = FileManager.default.contents(atPath: url.path), !url.hasDirectoryPath else { continue }
            let relative = String(url.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count + 1))
            files.append(MappingFile(path: relative, bytes: Array(data)))
        }
        do {
            return Normaliser(mappings: try MappingSet.load(files: files))
        } catch {
            fatalError("the repository's Mappings do not load: \(error)")
        }
    }()

    /// Runs `body` against the gateway's router, with the store's writer running.
    static func withGateway(
        maximumBodyBytes: Int = 64 << 10,
        configure: @Sendable (inout GatewaySettings) -> Void = { _ in },
        _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        let store = try await SQLiteStore.open(
            at: .memory,
            normaliser: Self.normaliser,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.run() }
            defer { group.cancelAll() }
            var settings = GatewaySettings(
                senders: Self.senders,
                operators: [Operator(name: "ops", tokenHash: Sender.hash(token: Self.operatorToken))],
                maximumBodyBytes: maximumBodyBytes
            )
            configure(&settings)
            let gateway = Gateway(store: store, settings: settings, metrics: GatewayMetrics())
            let app = Application(
                router: gateway.router(),
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
            )
            try await app.test(.router, body)
        }
    }

    static func headers(
        _ format: WireFormat,
        token: String? = GatewayFixture.token,
        extra: HTTPFields = [:]
    ) -> HTTPFields {
        var headers = extra
        headers[.contentType] = format.mediaType
        headers[.accept] = format.mediaType
        if let token { headers[.authorization] = "Bearer \(token)" }
        return headers
    }

    static func patient(_ format: WireFormat, id: String? = nil, gender: String = "female") -> ByteBuffer {
        switch format {
        case .json:
            let idField = id.map { #""id":"\#($0)","# } ?? ""
            return ByteBuffer(
                string:
                    #"{"resourceType":"Patient",\#(idField)"identifier":[{"system":"http://hospital.example/mrn","value":"123"}],"gender":"\#(gender)","birthDate":"1950-01-01"}"#
            )
        case .xml:
            let idField = id.map { #"<id value="\#($0)"/>"# } ?? ""
            return ByteBuffer(
                string:
                    #"<Patient xmlns="http://hl7.org/fhir">\#(idField)<identifier><system value="http://hospital.example/mrn"/><value value="123"/></identifier><gender value="\#(gender)"/><birthDate value="1950-01-01"/></Patient>"#
            )
        }
    }

    /// A ServiceRequest with an id (for a PUT) and business identifier `urn:oid:1.2.3|identifier` of its own.
    static func serviceRequest(_ format: WireFormat, id: String, identifier: String?) -> ByteBuffer {
        switch format {
        case .json:
            let identifier = identifier.map { #""identifier":[{"system":"urn:oid:1.2.3","value":"\#($0)"}],"# } ?? ""
            return ByteBuffer(
                string:
                    #"{"resourceType":"ServiceRequest","id":"\#(id)",\#(identifier)"status":"active","intent":"order","subject":{"reference":"Patient/p1"}}"#
            )
        case .xml:
            let identifier =
                identifier.map { #"<identifier><system value="urn:oid:1.2.3"/><value value="\#($0)"/></identifier>"# }
                ?? ""
            return ByteBuffer(
                string:
                    #"<ServiceRequest xmlns="http://hl7.org/fhir"><id value="\#(id)"/>\#(identifier)<status value="active"/><intent value="order"/><subject><reference value="Patient/p1"/></subject></ServiceRequest>"#
            )
        }
    }

    static func serviceRequest(_ format: WireFormat, status: String = "active") -> ByteBuffer {
        switch format {
        case .json:
            ByteBuffer(
                string:
                    #"{"resourceType":"ServiceRequest","identifier":[{"system":"urn:oid:1.2.3","value":"SR-1"}],"status":"\#(status)","intent":"order","subject":{"reference":"Patient/p1"}}"#
            )
        case .xml:
            ByteBuffer(
                string:
                    #"<ServiceRequest xmlns="http://hl7.org/fhir"><identifier><system value="urn:oid:1.2.3"/><value value="SR-1"/></identifier><status value="\#(status)"/><intent value="order"/><subject><reference value="Patient/p1"/></subject></ServiceRequest>"#
            )
        }
    }

    /// Reads a response body back into a tree with the gateway's own codecs.
    static func resource(_ response: TestResponse, _ format: WireFormat) throws -> Element {
        let bytes = Array(response.body.readableBytesView)
        return switch format {
        case .json: try FHIRJSON.read(bytes).root
        case .xml: try FHIRXML.read(bytes).root
        }
    }
}
