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

    /// One header line (libcurl delivers whole lines, CRLF included). Only `Retry-After` is kept, so
    /// lines are matched as bytes and only that one becomes a string.
    func header(_ bytes: UnsafeRawBufferPointer) {
        if bytes.starts(with: Self.statusLinePrefix) {
            // A new status line: an interim response (100 Continue) ended, so forget what it said.
            self.retryAfter = nil
            self.excerpt = []
            return
        }
        let name = Self.retryAfterName
        guard bytes.count > name.count,
            zip(bytes.prefix(name.count), name).allSatisfy({ byte, expected in byte | 0x20 == expected })
        else { return }
        let value = String(decoding: bytes.dropFirst(name.count), as: UTF8.self)
        self.retryAfter = value.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static let statusLinePrefix = Array("HTTP/".utf8)
    /// Lowercase, colon included; a header byte matches when it equals this one once ASCII-lowercased
    /// (`| 0x20`, which leaves `-` and `:` as they are).
    private static let retryAfterName = Array("retry-after:".utf8)

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
