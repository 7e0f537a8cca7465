public import NIOSSL
import Synchronization

/// TLS on the gateway's listener, as the configuration names it: the certificate chain and key (PEM files),
/// and optionally the CA whose client certificates the listener verifies (mutual TLS for senders).
///
/// With a client CA, a client certificate is optional: a client that presents one must present one the CA
/// issued, and is then authenticated by it when ``CertificateSender`` maps it; other clients use bearer
/// tokens as on any connection.
public struct ListenerTLS: Sendable, Hashable {
    public var certificate: String
    public var key: String
    public var clientCA: String?

    public init(certificate: String, key: String, clientCA: String? = nil) {
        self.certificate = certificate
        self.key = key
        self.clientCA = clientCA
    }

    /// Reads the files and makes the context new connections use.
    ///
    /// - Throws: NIOSSL's errors when a file is missing or not PEM, or the key does not match.
    public func makeContext() throws -> NIOSSLContext {
        let chain = try NIOSSLCertificate.fromPEMFile(self.certificate).map { NIOSSLCertificateSource.certificate($0) }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain,
            privateKey: .privateKey(try NIOSSLPrivateKey(file: self.key, format: .pem))
        )
        configuration.minimumTLSVersion = .tlsv12
        if let clientCA = self.clientCA {
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(clientCA))
            configuration.certificateVerification = .optionalVerification
            configuration.sendCANameList = true
        }
        return try NIOSSLContext(configuration: configuration)
    }
}

/// The TLS context new connections get: replaced whole on reload, while connections already open keep
/// the one they began with, so a reload drops none of them.
public final class TLSContexts: Sendable {
    private let current: Mutex<NIOSSLContext>

    public init(_ tls: ListenerTLS) throws {
        self.current = Mutex(try tls.makeContext())
    }

    /// Reads the files again; on failure the current context stays.
    ///
    /// - Throws: as ``ListenerTLS/makeContext()``.
    public func reload(_ tls: ListenerTLS) throws {
        let context = try tls.makeContext()
        self.current.withLock { $0 = context }
    }

    var context: NIOSSLContext { self.current.withLock { $0 } }
}
