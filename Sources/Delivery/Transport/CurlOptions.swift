internal import CCurl

/// Sets options on an easy handle and keeps the first failure, so a transfer is never started half set up.
struct CurlOptions {
    private let curl: UnsafeMutableRawPointer
    private(set) var failure: CURLcode?

    init(_ curl: UnsafeMutableRawPointer) {
        self.curl = curl
    }

    mutating func long(_ option: CURLoption, _ value: Int) {
        self.check(ccurl_easy_setopt_long(self.curl, option, value))
    }

    mutating func offset(_ option: CURLoption, _ value: curl_off_t) {
        self.check(ccurl_easy_setopt_off_t(self.curl, option, value))
    }

    /// libcurl copies strings (https://curl.se/libcurl/c/curl_easy_setopt.html: "strings passed … are copied").
    mutating func string(_ option: CURLoption, _ value: String) {
        self.check(ccurl_easy_setopt_string(self.curl, option, value))
    }

    mutating func pointer(_ option: CURLoption, _ value: UnsafeMutableRawPointer?) {
        self.check(ccurl_easy_setopt_pointer(self.curl, option, value))
    }

    mutating func slist(_ option: CURLoption, _ value: UnsafeMutablePointer<curl_slist>?) {
        self.check(ccurl_easy_setopt_slist(self.curl, option, value))
    }

    /// Verification stays on: VERIFYPEER 1 and VERIFYHOST 2 are libcurl's defaults, set anyway so a
    /// reset or a changed default can never turn them off.
    mutating func tls(_ settings: TLSSettings) {
        self.long(CURLOPT_SSL_VERIFYPEER, 1)
        self.long(CURLOPT_SSL_VERIFYHOST, 2)
        if let path = settings.caBundlePath { self.string(CURLOPT_CAINFO, path) }
        if let path = settings.clientCertificatePath {
            self.string(CURLOPT_SSLCERT, path)
            self.string(CURLOPT_SSLCERTTYPE, "PEM")
        }
        if let path = settings.clientKeyPath {
            self.string(CURLOPT_SSLKEY, path)
            self.string(CURLOPT_SSLKEYTYPE, "PEM")
        }
        if let password = settings.clientKeyPassword { self.string(CURLOPT_KEYPASSWD, password) }
    }

    private mutating func check(_ code: CURLcode) {
        if code != CURLE_OK, self.failure == nil { self.failure = code }
    }
}
