/// A client certificate that authenticates a sender over mutual TLS, as the configuration maps it: by the
/// certificate's subject common name, its SHA-256 fingerprint, or both (then both must match).
///
/// Only certificates the listener has verified against the configured client CA get this far.
public struct CertificateSender: Sendable, Hashable {
    public var sender: Sender
    /// The subject's common name (`CN`).
    public var commonName: String?
    /// Lower-case hex SHA-256 of the certificate's DER encoding.
    public var fingerprint: String?

    public init(sender: Sender, commonName: String?, fingerprint: String?) {
        self.sender = sender
        self.commonName = commonName
        self.fingerprint = fingerprint?.lowercased().filter { $0 != ":" }
    }

    /// Whether a verified certificate with these facts is this sender's.
    func matches(commonNames: [String], fingerprint: String) -> Bool {
        guard self.commonName != nil || self.fingerprint != nil else { return false }
        if let commonName = self.commonName, !commonNames.contains(commonName) { return false }
        if let expected = self.fingerprint, expected != fingerprint { return false }
        return true
    }
}
