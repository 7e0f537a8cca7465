internal import CCurl

/// A bare libcurl client for the benchmarks: one easy handle, reused (so is its connection), POSTs with
/// nothing around them. It is the floor `tandem-bench delivery` measures the forwarder against, and the
/// latency probe's sender; it goes through the same CCurl shim as Delivery's ``CurlTransport``.
///
/// Blocking: call ``post(_:)`` on a thread of a pool, never on the cooperative pool.
// @unchecked Sendable: the handle is used by one thread at a time — each pool loop owns its client for
// the loop's whole run, and the client moves to that thread once, before the first transfer.
final class RawCurlClient: @unchecked Sendable {
    /// One prepared request: URL, header lines and body, so the floor pays only for the transfer.
    struct Request: Sendable {
        var url: String
        var headers: [String]
        var body: [UInt8]
    }

    private static let initialised: Bool = ccurl_global_init_all() == CURLE_OK
    private let handle: UnsafeMutableRawPointer

    init?() {
        guard Self.initialised, let handle = curl_easy_init() else { return nil }
        self.handle = handle
    }

    deinit {
        curl_easy_cleanup(self.handle)
    }

    /// One GET (a readiness probe, a timed read), the answer read and dropped; the HTTP status, or nil
    /// when there was none.
    func get(_ url: String, headers: [String] = [], timeoutMilliseconds: Int = 2_000) -> Int? {
        let curl = self.handle
        var list: UnsafeMutablePointer<curl_slist>?
        for line in headers { list = curl_slist_append(list, line) }
        defer { curl_slist_free_all(list) }
        _ = ccurl_easy_setopt_string(curl, CURLOPT_URL, url)
        _ = ccurl_easy_setopt_long(curl, CURLOPT_NOSIGNAL, 1)
        _ = ccurl_easy_setopt_long(curl, CURLOPT_HTTPGET, 1)
        _ = ccurl_easy_setopt_slist(curl, CURLOPT_HTTPHEADER, list)
        _ = ccurl_easy_setopt_long(curl, CURLOPT_TIMEOUT_MS, timeoutMilliseconds)
        _ = ccurl_easy_setopt_write_function(curl) { _, size, count, _ in size * count }
        let code = curl_easy_perform(curl)
        _ = ccurl_easy_setopt_slist(curl, CURLOPT_HTTPHEADER, nil)
        guard code == CURLE_OK else { return nil }
        var status = 0
        _ = ccurl_easy_getinfo_long(curl, CURLINFO_RESPONSE_CODE, &status)
        return status
    }

    /// Sends one POST and reads the whole answer; the HTTP status, or nil when there was none.
    func post(_ request: Request) -> Int? {
        let curl = self.handle
        var list: UnsafeMutablePointer<curl_slist>?
        for line in request.headers + ["Expect:"] { list = curl_slist_append(list, line) }
        defer { curl_slist_free_all(list) }
        let body = request.body.isEmpty ? [0] : request.body
        let code = body.withUnsafeBytes { bytes -> CURLcode in
            _ = ccurl_easy_setopt_string(curl, CURLOPT_URL, request.url)
            _ = ccurl_easy_setopt_long(curl, CURLOPT_NOSIGNAL, 1)
            _ = ccurl_easy_setopt_long(curl, CURLOPT_POST, 1)
            _ = ccurl_easy_setopt_pointer(
                curl,
                CURLOPT_POSTFIELDS,
                UnsafeMutableRawPointer(mutating: bytes.baseAddress)
            )
            _ = ccurl_easy_setopt_off_t(curl, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count))
            _ = ccurl_easy_setopt_slist(curl, CURLOPT_HTTPHEADER, list)
            _ = ccurl_easy_setopt_long(curl, CURLOPT_TIMEOUT_MS, 10_000)
            // The answer is read and dropped: a non-capturing closure converts to the C callback.
            _ = ccurl_easy_setopt_write_function(curl) { _, size, count, _ in size * count }
            return curl_easy_perform(curl)
        }
        _ = ccurl_easy_setopt_slist(curl, CURLOPT_HTTPHEADER, nil)
        _ = ccurl_easy_setopt_pointer(curl, CURLOPT_POSTFIELDS, nil)
        guard code == CURLE_OK else { return nil }
        var status = 0
        _ = ccurl_easy_getinfo_long(curl, CURLINFO_RESPONSE_CODE, &status)
        return status
    }
}
