internal import CCurl

/// Owns one libcurl easy handle; `deinit` frees it. A ``CurlTransferLoop`` keeps idle ones for its next
/// transfers; the connections they open live in the loop's multi handle, not in the easy handle.
final class CurlEasyHandle {
    let raw: UnsafeMutableRawPointer

    init?() {
        _ = CurlGlobal.initialised
        guard let raw = curl_easy_init() else { return nil }
        self.raw = raw
    }

    deinit {
        curl_easy_cleanup(self.raw)
    }
}

/// Owns a `curl_slist` of header lines; `deinit` frees it. It must outlive the transfer using it.
struct CurlHeaderList: ~Copyable {
    private(set) var raw: UnsafeMutablePointer<curl_slist>?

    init(_ lines: [String]) {
        var list: UnsafeMutablePointer<curl_slist>?
        for line in lines {
            // curl_slist_append copies the string.
            list = curl_slist_append(list, line)
        }
        self.raw = list
    }

    deinit {
        curl_slist_free_all(self.raw)
    }
}

/// libcurl's process-wide initialisation, done once: `curl_global_init` is not thread-safe on every
/// build (https://curl.se/libcurl/c/curl_global_init.html), and a Swift static `let` runs its initialiser
/// exactly once, under a lock.
enum CurlGlobal {
    static let initialised: Bool = ccurl_global_init_all() == CURLE_OK

    /// Whether this libcurl can speak HTTP/2 (it was built with nghttp2).
    static var supportsHTTP2: Bool { ccurl_supports_http2() != 0 }

    /// Whether this libcurl resolves host names without blocking (`CURL_VERSION_ASYNCHDNS`).
    static var resolvesNamesAsynchronously: Bool { ccurl_supports_async_dns() != 0 }
}
