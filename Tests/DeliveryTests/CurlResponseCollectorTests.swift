import Testing

@testable import Delivery

/// The header callback keeps `Retry-After` (any case, value trimmed) and forgets it at a new status line.
@Suite struct CurlResponseCollectorTests {
    private func collect(_ lines: [String]) -> CurlResponseCollector {
        let collector = CurlResponseCollector()
        for line in lines {
            Array(line.utf8).withUnsafeBytes { collector.header($0) }
        }
        return collector
    }

    @Test func retryAfterIsFoundInAnyCaseAndTrimmed() {
        #expect(self.collect(["HTTP/1.1 503 Busy\r\n", "Retry-After: 120\r\n", "\r\n"]).retryAfter == "120")
        #expect(self.collect(["HTTP/2 429\r\n", "retry-after:7\r\n"]).retryAfter == "7")
        #expect(
            self.collect(["HTTP/1.1 503\r\n", "RETRY-AFTER:  Wed, 21 Oct 2026 07:28:00 GMT \r\n"]).retryAfter
                == "Wed, 21 Oct 2026 07:28:00 GMT"
        )
    }

    @Test func otherHeadersAndPrefixesAreNotRetryAfter() {
        #expect(self.collect(["HTTP/1.1 503\r\n", "X-Retry-After: 5\r\n", "Retry-After-Ms: 5\r\n"]).retryAfter == nil)
        #expect(self.collect(["HTTP/1.1 503\r\n", "Retry-After\r\n"]).retryAfter == nil)
    }

    @Test func aNewStatusLineForgetsAnInterimResponsesHeaders() {
        #expect(
            self.collect(["HTTP/1.1 100 Continue\r\n", "Retry-After: 3\r\n", "HTTP/1.1 200 OK\r\n"]).retryAfter == nil
        )
    }
}
