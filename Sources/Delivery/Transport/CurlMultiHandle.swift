internal import CCurl

/// Owns one libcurl multi handle; `deinit` frees it, closing the connections in its cache. Easy handles
/// added to it share that cache, which is how transfers to one partner reuse its connections (and, over
/// HTTP/2, multiplex on one). https://curl.se/libcurl/c/libcurl-multi.html
struct CurlMultiHandle: ~Copyable {
    let raw: UnsafeMutableRawPointer

    init?() {
        _ = CurlGlobal.initialised
        guard let raw = curl_multi_init() else { return nil }
        self.raw = raw
    }

    deinit {
        curl_multi_cleanup(self.raw)
    }
}
