internal import CCurl
import Foundation

/// One request in flight on a ``CurlTransferLoop``: what libcurl reads and writes while the transfer runs
/// (the header list, the response collector and its error buffer), and the task waiting for the result.
///
/// Every option pointer libcurl keeps points into this object, which the loop holds until the transfer is
/// done and its easy handle reset.
// @unchecked Sendable: made by the sending task and handed over once, through the loop's locked inbox;
// from then on only the loop's thread touches it.
final class CurlTransfer: @unchecked Sendable {
    typealias Outcome = Result<DeliveryResponse, TransportError>

    let request: DeliveryRequest
    private let collector: CurlResponseCollector
    private let headers: CurlHeaderList
    private let continuation: CheckedContinuation<Outcome, Never>

    init(_ request: DeliveryRequest, continuation: CheckedContinuation<Outcome, Never>) {
        self.request = request
        self.collector = CurlResponseCollector(limit: request.responseLimit)
        self.headers = CurlHeaderList(
            request.headers.map { "\($0.name): \($0.value)" }
                // An empty Expect: stops curl sending `Expect: 100-continue` for large bodies, which
                // servers that never answer it (Hummingbird) make cost a one-second stall.
                + ["Expect:"]
        )
        self.continuation = continuation
    }

    /// Sets every option of the request on a reset easy handle; the first failure, if any.
    ///
    /// Every request: `CURLOPT_NOSIGNAL` (libcurl must not use signals in a threaded process), the
    /// partner's timeout as both connect and total timeout, TLS peer and host verification on, HTTP/2 over
    /// TLS when the library has it (HTTP/1.1 otherwise and for `http://`), an empty `Expect:` header, no
    /// redirects, only the `http` and `https` schemes. The body is copied into the handle
    /// (`CURLOPT_COPYPOSTFIELDS`), so it needs no pinning while the transfer runs. Without
    /// `reuseConnection` the connection is closed once the transfer is done (`CURLOPT_FORBID_REUSE`).
    func configure(_ curl: UnsafeMutableRawPointer, reuseConnection: Bool) -> CURLcode? {
        let request = self.request
        let timeoutMilliseconds = max(1, Int(request.timeout.inSeconds * 1000))
        var setup = CurlOptions(curl)
        setup.string(CURLOPT_URL, request.url.absoluteString)
        setup.string(CURLOPT_PROTOCOLS_STR, "http,https")
        setup.long(CURLOPT_NOSIGNAL, 1)
        setup.long(CURLOPT_POST, 1)
        // POST semantics (the body from POSTFIELDS) under another method name, e.g. PUT for replay.
        if request.method != "POST" { setup.string(CURLOPT_CUSTOMREQUEST, request.method) }
        // The size first: COPYPOSTFIELDS copies that many bytes (https://curl.se/libcurl/c/CURLOPT_COPYPOSTFIELDS.html).
        setup.offset(CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count))
        // An empty array may have no storage; COPYPOSTFIELDS needs a valid pointer even for zero bytes.
        let body = request.body.isEmpty ? [0] : request.body
        body.withUnsafeBytes { bytes in
            setup.pointer(CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress))
        }
        setup.slist(CURLOPT_HTTPHEADER, self.headers.raw)
        setup.long(CURLOPT_TIMEOUT_MS, timeoutMilliseconds)
        setup.long(CURLOPT_CONNECTTIMEOUT_MS, timeoutMilliseconds)
        setup.long(CURLOPT_FOLLOWLOCATION, 0)
        setup.long(CURLOPT_HTTP_VERSION, ccurl_http_version_preferred())
        setup.string(CURLOPT_USERAGENT, "Tandem-Delivery/1")
        if !reuseConnection { setup.long(CURLOPT_FORBID_REUSE, 1) }
        setup.tls(request.tls)
        setup.pointer(CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(self.collector.errorBuffer))
        let context = Unmanaged.passUnretained(self.collector).toOpaque()
        _ = ccurl_easy_setopt_write_function(curl, CurlResponseCollector.writeCallback)
        setup.pointer(CURLOPT_WRITEDATA, context)
        _ = ccurl_easy_setopt_header_function(curl, CurlResponseCollector.headerCallback)
        setup.pointer(CURLOPT_HEADERDATA, context)
        return setup.failure
    }

    /// What the finished transfer on `curl` came to, read before the handle is reset. Connections it
    /// opened are added to `connectionsOpened`.
    func outcome(_ code: CURLcode, on curl: UnsafeMutableRawPointer, connectionsOpened: inout Int) -> Outcome {
        var connects = 0
        _ = ccurl_easy_getinfo_long(curl, CURLINFO_NUM_CONNECTS, &connects)
        connectionsOpened += connects
        guard code == CURLE_OK else { return .failure(CurlErrors.error(code, message: self.collector.errorMessage)) }
        var status = 0
        var version = 0
        var seconds = 0.0
        _ = ccurl_easy_getinfo_long(curl, CURLINFO_RESPONSE_CODE, &status)
        _ = ccurl_easy_getinfo_long(curl, CURLINFO_HTTP_VERSION, &version)
        _ = ccurl_easy_getinfo_double(curl, CURLINFO_TOTAL_TIME, &seconds)
        return .success(
            DeliveryResponse(
                status: status,
                retryAfter: self.collector.retryAfter,
                excerpt: self.collector.excerpt,
                duration: .seconds(seconds),
                httpVersion: CurlErrors.httpVersion(version)
            )
        )
    }

    /// Hands the outcome to the waiting task; called exactly once.
    func finish(_ outcome: Outcome) {
        self.continuation.resume(returning: outcome)
    }
}
