internal import CCurl
import Foundation

/// Collects one transfer's response in libcurl's header and write callbacks.
///
/// Lives only for one `curl_easy_perform`, on the thread running it; libcurl receives it through
/// `CURLOPT_HEADERDATA`/`CURLOPT_WRITEDATA` as an unretained pointer and the caller keeps it alive with
/// `withExtendedLifetime`. Only the `Sendable` values read off it afterwards leave the thread.
final class CurlResponseCollector {
    /// How much of the body the attempt record keeps, unless the request asks for more.
    static let excerptLimit = 512

    /// How much of the body this transfer keeps (``DeliveryRequest/responseLimit``).
    let limit: Int
    private(set) var excerpt: [UInt8] = []
    private(set) var retryAfter: String?
    /// `CURLOPT_ERRORBUFFER`: libcurl writes a message here when a transfer fails; it must stay put for
    /// the whole transfer, hence a raw allocation rather than an array.
    let errorBuffer: UnsafeMutablePointer<CChar>

    init(limit: Int = CurlResponseCollector.excerptLimit) {
        self.limit = max(0, limit)
        let size = Int(CURL_ERROR_SIZE)
        self.errorBuffer = .allocate(capacity: size)
        self.errorBuffer.initialize(repeating: 0, count: size)
    }

    deinit {
        self.errorBuffer.deallocate()
    }

    var errorMessage: String? {
        let message = String(cString: self.errorBuffer)
        return message.isEmpty ? nil : message
    }

    /// Keeps the first ``limit`` bytes of the body; the rest is read and dropped.
    func body(_ bytes: UnsafeRawBufferPointer) {
        let room = self.limit - self.excerpt.count
        if room > 0 { self.excerpt.append(contentsOf: bytes.prefix(room)) }
    }

    /// One header line (libcurl delivers whole lines, CRLF included).
    func header(_ bytes: UnsafeRawBufferPointer) {
        let line = String(decoding: bytes, as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            // A new status line: an interim response (100 Continue) ended, so forget what it said.
            self.retryAfter = nil
            self.excerpt = []
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = line[..<colon]
        if name.lowercased() == "retry-after" {
            self.retryAfter = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// `CURLOPT_WRITEFUNCTION`: never throws, never fails; returns the whole count so the transfer goes on.
    static let writeCallback: ccurl_data_callback = { data, size, count, context in
        let total = size * count
        guard let data, let context else { return total }
        Unmanaged<CurlResponseCollector>.fromOpaque(context).takeUnretainedValue()
            .body(UnsafeRawBufferPointer(start: data, count: total))
        return total
    }

    /// `CURLOPT_HEADERFUNCTION`: as ``writeCallback``.
    static let headerCallback: ccurl_data_callback = { data, size, count, context in
        let total = size * count
        guard let data, let context else { return total }
        Unmanaged<CurlResponseCollector>.fromOpaque(context).takeUnretainedValue()
            .header(UnsafeRawBufferPointer(start: data, count: total))
        return total
    }
}
