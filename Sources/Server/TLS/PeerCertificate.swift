import Crypto
import FHIRCore
import NIOCore
import NIOSSL
import SwiftASN1
import X509

/// The client certificate of a mutual-TLS connection, as the sender mapping needs it: the subject's
/// common names and the SHA-256 fingerprint of its DER encoding.
struct PeerCertificate: Sendable, Hashable {
    var commonNames: [String]
    var fingerprint: String

    /// The certificate the listener verified on `channel`'s connection; nil on plain HTTP, or when the
    /// client presented none.
    static func of(_ channel: (any Channel)?) async -> PeerCertificate? {
        guard let channel, let certificate = try? await channel.nioSSL_peerCertificate().get(),
            let der = try? certificate.toDERBytes()
        else { return nil }
        let names = (try? Certificate(derEncoded: der)).map { certificate in
            certificate.subject.flatMap { $0 }.filter { $0.type == .RDNAttributeType.commonName }.map {
                $0.value.description
            }
        }
        return PeerCertificate(
            commonNames: names ?? [],
            fingerprint: LowercaseHex.string(SHA256.hash(data: der))
        )
    }
}
