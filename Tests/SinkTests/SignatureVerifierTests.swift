import Delivery
import Foundation
import Testing

@testable import Sink

/// `X-Tandem-Signature` as a partner checks it: what ``DeliverySignature`` signed verifies; tampering,
/// staleness and garbage do not.
@Suite struct SignatureVerifierTests {
    let body = Array(#"{"resourceType":"Bundle"}"#.utf8)

    @Test func verifierAcceptsWhatWasSigned() {
        let verifier = SignatureVerifier(secret: "s3cret", tolerance: .seconds(300))
        let signature = DeliverySignature.sign(body: self.body, timestamp: 1000, secret: "s3cret")
        #expect(verifier.verify(body: self.body, timestamp: "1000", signature: signature, now: 1200) == .valid)
        #expect(
            verifier.verify(
                body: self.body,
                timestamp: "1000",
                signature: signature.uppercased().replacingOccurrences(of: "SHA256=", with: "sha256="),
                now: 1000
            ) == .valid
        )
    }

    @Test func verifierRejectsTamperingStalenessAndGarbage() {
        let verifier = SignatureVerifier(secret: "s3cret", tolerance: .seconds(300))
        let signature = DeliverySignature.sign(body: self.body, timestamp: 1000, secret: "s3cret")
        #expect(
            verifier.verify(body: self.body + [0x20], timestamp: "1000", signature: signature, now: 1000) == .mismatch
        )
        #expect(verifier.verify(body: self.body, timestamp: "1001", signature: signature, now: 1000) == .mismatch)
        let otherKey = DeliverySignature.sign(body: self.body, timestamp: 1000, secret: "other")
        #expect(verifier.verify(body: self.body, timestamp: "1000", signature: otherKey, now: 1000) == .mismatch)
        #expect(
            verifier.verify(body: self.body, timestamp: "1000", signature: signature, now: 1301)
                == .stale(skewSeconds: 301)
        )
        #expect(
            verifier.verify(body: self.body, timestamp: "1000", signature: signature, now: 600)
                == .stale(skewSeconds: -400)
        )
        #expect(verifier.verify(body: self.body, timestamp: "1000", signature: nil, now: 1000) == .missingSignature)
        #expect(verifier.verify(body: self.body, timestamp: nil, signature: signature, now: 1000) == .missingTimestamp)
        #expect(verifier.verify(body: self.body, timestamp: "x", signature: signature, now: 1000) == .malformed)
        #expect(verifier.verify(body: self.body, timestamp: "1000", signature: "md5=00", now: 1000) == .malformed)
        #expect(verifier.verify(body: self.body, timestamp: "1000", signature: "sha256=zz", now: 1000) == .malformed)
        #expect(verifier.verify(body: self.body, timestamp: "1000", signature: "sha256=abc", now: 1000) == .malformed)
        #expect(verifier.verify(body: self.body, timestamp: "1000", signature: "sha256=abcd", now: 1000) == .mismatch)
    }

    @Test func verifierWithoutSecretChecksNothing() {
        let verdict = SignatureVerifier(secret: nil).verify(body: self.body, timestamp: nil, signature: nil, now: 0)
        #expect(verdict == .unchecked)
        #expect(verdict.isAcceptable)
    }

    @Test func constantTimeCompare() {
        #expect(SignatureVerifier.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!SignatureVerifier.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!SignatureVerifier.constantTimeEqual([1, 2, 3], [1, 2]))
    }
}
