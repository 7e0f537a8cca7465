internal import CCurl
import Foundation
public import Logging
public import NIOPosix

/// The libcurl ``Transport``: one blocking `curl_easy_perform` per request on a `NIOThreadPool`, with easy
/// handles (and so connections) reused per partner.
///
/// - Important: the transfer runs on the thread pool, never on Swift's cooperative pool; each in-flight
///   request holds one pool thread, so size the pool for the forwarder's concurrency cap. A task cancelled
///   mid-transfer still waits for the transfer, which the request's timeout bounds.
///
/// Every request: `CURLOPT_NOSIGNAL` (libcurl must not use signals in a threaded process), the partner's
/// timeout as both connect and total timeout, TLS peer and host verification on, HTTP/2 over TLS when the
/// library has it (HTTP/1.1 otherwise and for `http://`), an empty `Expect:` header, no redirects, only the
/// `http` and `https` schemes.
public final class CurlTransport: Transport {
    private let threadPool: NIOThreadPool
    private let pool: CurlHandlePool
    private let logger: Logger

    /// - Parameters:
    ///   - threadPool: a started pool with at least as many threads as the forwarder's concurrency; the
    ///     transport does not start or stop it. Not `NIOThreadPool.singleton` in production: it has one
    ///     thread per core, so two slow partners on this 2-core machine would stall every other delivery.
    ///   - maximumIdleHandlesPerPartner: handles (each with its connection) kept between requests.
    public init(threadPool: NIOThreadPool, maximumIdleHandlesPerPartner: Int = 4, logger: Logger) {
        self.threadPool = threadPool
        self.pool = CurlHandlePool(maximumIdlePerPartner: maximumIdleHandlesPerPartner)
        self.logger = logger
    }

    /// Whether the linked libcurl can speak HTTP/2.
    public static var supportsHTTP2: Bool { CurlGlobal.supportsHTTP2 }

    public func send(_ request: DeliveryRequest) async -> Result<DeliveryResponse, TransportError> {
        guard let slot = self.pool.checkOut(for: request.partnerID) else {
            return .failure(TransportError(.other, "libcurl could not create an easy handle"))
        }
        let result: Result<DeliveryResponse, TransportError>
        do {
            result = try await self.threadPool.runIfActive { Self.perform(request, on: slot.handle) }
        } catch {
            return .failure(TransportError(.shutdown, "the thread pool is not running: \(error)"))
        }
        self.pool.checkIn(slot, for: request.partnerID)
        if case .failure(let failure) = result {
            self.logger.debug(
                "delivery transport failed",
                metadata: ["tandem.partner": "\(request.partnerID)", "tandem.error": "\(failure)"]
            )
        }
        return result
    }

    /// Frees the cached handles and closes their connections; later requests open new ones.
    public func closeIdleConnections() {
        self.pool.removeAll()
    }

    /// Idle handles cached for a partner (for tests of connection reuse).
    func idleHandles(for partnerID: String) -> Int { self.pool.idleCount(for: partnerID) }

    /// One blocking transfer; runs on a thread-pool thread.
    private static func perform(
        _ request: DeliveryRequest,
        on handle: borrowing CurlEasyHandle
    )
        -> Result<DeliveryResponse, TransportError>
    {
        let curl = handle.raw
        // Reset clears the previous request's options but keeps the handle's connection cache
        // (https://curl.se/libcurl/c/curl_easy_reset.html).
        curl_easy_reset(curl)
        let collector = CurlResponseCollector(limit: request.responseLimit)
        let headers = CurlHeaderList(
            request.headers.map { "\($0.name): \($0.value)" }
                // An empty Expect: stops curl sending `Expect: 100-continue` for large bodies, which
                // servers that never answer it (Hummingbird) make cost a one-second stall.
                + ["Expect:"]
        )
        let timeoutMilliseconds = max(1, Int(request.timeout.inSeconds * 1000))
        // An empty array may have no storage; POSTFIELDS needs a valid pointer even for zero bytes.
        let body = request.body.isEmpty ? [0] : request.body
        let code: CURLcode = body.withUnsafeBytes { bodyBytes in
            withExtendedLifetime(collector) {
                let context = Unmanaged.passUnretained(collector).toOpaque()
                var setup = CurlOptions(curl)
                setup.string(CURLOPT_URL, request.url.absoluteString)
                setup.string(CURLOPT_PROTOCOLS_STR, "http,https")
                setup.long(CURLOPT_NOSIGNAL, 1)
                setup.long(CURLOPT_POST, 1)
                // POST semantics (the body from POSTFIELDS) under another method name, e.g. PUT for replay.
                if request.method != "POST" { setup.string(CURLOPT_CUSTOMREQUEST, request.method) }
                setup.pointer(CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: bodyBytes.baseAddress))
                setup.offset(CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count))
                setup.slist(CURLOPT_HTTPHEADER, headers.raw)
                setup.long(CURLOPT_TIMEOUT_MS, timeoutMilliseconds)
                setup.long(CURLOPT_CONNECTTIMEOUT_MS, timeoutMilliseconds)
                setup.long(CURLOPT_FOLLOWLOCATION, 0)
                setup.long(CURLOPT_HTTP_VERSION, ccurl_http_version_preferred())
                setup.string(CURLOPT_USERAGENT, "Tandem-Delivery/1")
                setup.tls(request.tls)
                setup.pointer(CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(collector.errorBuffer))
                _ = ccurl_easy_setopt_write_function(curl, CurlResponseCollector.writeCallback)
                setup.pointer(CURLOPT_WRITEDATA, context)
                _ = ccurl_easy_setopt_header_function(curl, CurlResponseCollector.headerCallback)
                setup.pointer(CURLOPT_HEADERDATA, context)
                if let failure = setup.failure { return failure }
                return curl_easy_perform(curl)
            }
        }
        // The header list and body pointer must not outlive the transfer in the handle: clear them so
        // the reused handle never holds a dangling pointer.
        _ = ccurl_easy_setopt_slist(curl, CURLOPT_HTTPHEADER, nil)
        _ = ccurl_easy_setopt_pointer(curl, CURLOPT_POSTFIELDS, nil)
        _ = ccurl_easy_setopt_pointer(curl, CURLOPT_ERRORBUFFER, nil)
        withExtendedLifetime(headers) {}
        guard code == CURLE_OK else {
            let message = collector.errorMessage ?? String(cString: curl_easy_strerror(code))
            return .failure(TransportError(CurlErrors.kind(of: code), curlCode: Int(code.rawValue), message))
        }
        var status = 0
        var version = 0
        var seconds = 0.0
        _ = ccurl_easy_getinfo_long(curl, CURLINFO_RESPONSE_CODE, &status)
        _ = ccurl_easy_getinfo_long(curl, CURLINFO_HTTP_VERSION, &version)
        _ = ccurl_easy_getinfo_double(curl, CURLINFO_TOTAL_TIME, &seconds)
        return .success(
            DeliveryResponse(
                status: status,
                retryAfter: collector.retryAfter,
                excerpt: collector.excerpt,
                duration: .seconds(seconds),
                httpVersion: CurlErrors.httpVersion(version)
            )
        )
    }
}
