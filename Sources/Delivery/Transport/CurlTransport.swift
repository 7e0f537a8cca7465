internal import CCurl
import Foundation
public import Logging

/// The libcurl ``Transport``: a small pool of transfer threads, each driving a libcurl multi handle
/// (``CurlTransferLoop``) that runs every request handed to it at once. A partner's requests all go to
/// one thread, so they share its connection cache: connections are reused per partner (and multiplexed
/// over HTTP/2).
///
/// A request in flight holds a socket, not a thread: a slow or dead partner's requests wait in the same
/// `poll` as everyone else's, each bounded by its timeout, and never hold up another partner. A task
/// cancelled mid-transfer still waits for the transfer, which the request's timeout bounds.
///
/// The options every request gets (no signals, the partner's timeout, TLS verification on, HTTP/2 over TLS
/// where available, no redirects, only `http` and `https`) are listed, and set, in one place:
/// ``CurlTransfer/configure(_:reuseConnection:)``.
public final class CurlTransport: Transport {
    /// The transfer threads; each stops, and frees its handles, when the transport is released.
    let loops: [CurlTransferLoop]
    private let logger: Logger

    /// - Parameters:
    ///   - threads: transfer threads (each with its own multi handle and connection cache). One thread
    ///     keeps thousands of requests in flight; more spread partners over cores.
    ///   - maximumIdleConnectionsPerPartner: connections kept open between requests, per partner; 0 closes
    ///     each connection after its request.
    public init(threads: Int = 2, maximumIdleConnectionsPerPartner: Int = 4, logger: Logger) {
        self.loops = (0..<max(1, threads)).compactMap { index in
            CurlTransferLoop(name: "curl-\(index)", idleConnectionsPerPartner: maximumIdleConnectionsPerPartner)
        }
        self.logger = logger
    }

    deinit {
        // No send is in flight (each holds the transport); the threads exit and free their handles.
        for loop in self.loops { loop.stop() }
    }

    /// Whether the linked libcurl can speak HTTP/2.
    public static var supportsHTTP2: Bool { CurlGlobal.supportsHTTP2 }

    /// Whether the linked libcurl resolves host names without blocking. Without it, a partner whose name
    /// is slow to resolve holds up every partner on the same transfer thread for the whole lookup.
    public static var resolvesNamesAsynchronously: Bool { CurlGlobal.resolvesNamesAsynchronously }

    public func send(_ request: DeliveryRequest) async -> Result<DeliveryResponse, TransportError> {
        guard let loop = self.loop(for: request.partnerID) else {
            return .failure(TransportError(.other, "libcurl could not create a multi handle"))
        }
        let result = await withCheckedContinuation { continuation in
            loop.submit(CurlTransfer(request, continuation: continuation))
        }
        if case .failure(let failure) = result {
            self.logger.debug(
                "delivery transport failed",
                metadata: ["tandem.partner": "\(request.partnerID)", "tandem.error": "\(failure)"]
            )
        }
        return result
    }

    /// Connections opened so far to every partner (for tests of connection reuse).
    var connectionsOpened: Int { self.loops.reduce(0) { $0 + $1.connectionsOpened } }

    /// The partner's thread: the same for every request to it, so its connections are in one cache.
    private func loop(for partnerID: String) -> CurlTransferLoop? {
        guard !self.loops.isEmpty else { return nil }
        // FNV-1a, not `hashValue`: the same partner lands on the same thread in every run.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in partnerID.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return self.loops[Int(hash % UInt64(self.loops.count))]
    }
}
