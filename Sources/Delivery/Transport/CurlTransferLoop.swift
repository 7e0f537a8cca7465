internal import CCurl
import Foundation
import Glibc
import Synchronization

/// One thread driving one libcurl multi handle: it runs every transfer submitted to it at once, waiting in
/// `curl_multi_poll` for whichever socket is ready, so requests in flight cost sockets, not threads.
///
/// Tasks hand transfers over through ``submit(_:)`` (a locked inbox, and `curl_multi_wakeup` when the
/// inbox was empty); the thread takes the whole inbox each turn, adds the transfers, drives them with
/// `curl_multi_perform`, and resumes each task when `curl_multi_info_read` reports its transfer done.
/// Everything else (the multi handle's use, the transfers in flight, the idle easy handles) belongs to
/// the thread alone. https://curl.se/libcurl/c/curl_multi_poll.html
///
/// Easy handles are reset and kept for the next transfer; connections live in the multi handle's cache,
/// at most ``idleConnectionsPerPartner`` per partner the loop has sent to (with 0, each transfer closes its
/// connection: `CURLOPT_FORBID_REUSE`).
///
/// `curl_multi_perform` looks at every transfer in flight on each wake-up; libcurl's own per-transfer work
/// (headers, the status line, sending) dominates, not that walk, so the socket interface
/// (`curl_multi_socket_action`) is not used (docs/performance.md, "Outbox and delivery").
// @unchecked Sendable: the inbox is behind a mutex and `curl_multi_wakeup` may be called from any thread;
// every other property is touched only by the loop's own thread (``run()``).
final class CurlTransferLoop: @unchecked Sendable {
    private struct Inbox {
        var transfers: [CurlTransfer] = []
        var stopping = false
    }

    let idleConnectionsPerPartner: Int
    private let multi: CurlMultiHandle
    private let inbox = Mutex(Inbox())
    private let opened = Atomic<Int>(0)

    // The loop thread's own state.
    private var inFlight: [UnsafeMutableRawPointer: (transfer: CurlTransfer, easy: CurlEasyHandle)] = [:]
    private var idleHandles: [CurlEasyHandle] = []
    private var partners: Set<String> = []

    /// Idle easy handles kept at most; more are freed when their transfers end.
    private static let idleHandleLimit = 64

    /// Starts the loop's thread; nil when libcurl cannot make a multi handle.
    init?(name: String, idleConnectionsPerPartner: Int) {
        guard let multi = CurlMultiHandle() else { return nil }
        self.multi = multi
        self.idleConnectionsPerPartner = max(0, idleConnectionsPerPartner)
        let thread = Thread { [self] in
            Self.nameCurrentThread(name)
            self.run()
        }
        thread.start()
    }

    /// Names the calling thread (as `top -H`, `perf` and the delivery benchmark show it) through
    /// `/proc/thread-self/comm`. Foundation's `Thread.name` names a thread only once the thread that started
    /// it has recorded its handle, and the new thread can run ahead of that, keeping the name of the
    /// thread that started it.
    private static func nameCurrentThread(_ name: String) {
        let file = open("/proc/thread-self/comm", O_WRONLY)
        guard file >= 0 else { return }
        defer { close(file) }
        // The kernel keeps at most 15 bytes of a name.
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(file, $0.baseAddress, $0.count) }
    }

    /// Connections opened so far (libcurl's `CURLINFO_NUM_CONNECTS` over every finished transfer).
    var connectionsOpened: Int { self.opened.load(ordering: .relaxed) }

    /// Queues a transfer for the loop's thread; after ``stop()`` it fails at once as a shutdown.
    func submit(_ transfer: CurlTransfer) {
        let wake = self.inbox.withLock { inbox -> Bool? in
            guard !inbox.stopping else { return nil }
            inbox.transfers.append(transfer)
            // A non-empty inbox has a wake-up on its way already.
            return inbox.transfers.count == 1
        }
        switch wake {
        case nil: transfer.finish(.failure(TransportError(.shutdown, "the transfer loop has stopped")))
        case true?: curl_multi_wakeup(self.multi.raw)
        case false?: break
        }
    }

    /// Tells the thread to finish the transfers it has and then exit; later submissions fail.
    func stop() {
        self.inbox.withLock { $0.stopping = true }
        curl_multi_wakeup(self.multi.raw)
    }

    private func run() {
        var running: Int32 = 0
        while true {
            let (arrived, stopping) = self.inbox.withLock { inbox in
                defer { inbox.transfers = [] }
                return (inbox.transfers, inbox.stopping)
            }
            for transfer in arrived { self.start(transfer) }
            if stopping, self.inFlight.isEmpty { break }
            _ = curl_multi_perform(self.multi.raw, &running)
            self.finishDone()
            // Returns on socket activity, libcurl's own timeouts, a wake-up, or after a second at most.
            _ = curl_multi_poll(self.multi.raw, nil, 0, 1000, nil)
        }
        self.idleHandles.removeAll()
    }

    /// Adds a transfer to the multi handle, or finishes it at once when it cannot be started.
    private func start(_ transfer: CurlTransfer) {
        guard let easy = self.idleHandles.popLast() ?? CurlEasyHandle() else {
            transfer.finish(.failure(TransportError(.other, "libcurl could not create an easy handle")))
            return
        }
        let curl = easy.raw
        if let failure = transfer.configure(curl, reuseConnection: self.idleConnectionsPerPartner > 0) {
            self.recycle(easy)
            transfer.finish(.failure(CurlErrors.error(failure)))
            return
        }
        let added = curl_multi_add_handle(self.multi.raw, curl)
        guard added == CURLM_OK else {
            self.recycle(easy)
            let message = String(cString: curl_multi_strerror(added))
            transfer.finish(.failure(TransportError(.other, "libcurl could not start the transfer: \(message)")))
            return
        }
        self.inFlight[curl] = (transfer, easy)
        if self.partners.insert(transfer.request.partnerID).inserted {
            // The connection cache holds the idle connections of every partner this loop has sent to.
            let limit = max(1, self.idleConnectionsPerPartner) * self.partners.count
            _ = ccurl_multi_setopt_long(self.multi.raw, CURLMOPT_MAXCONNECTS, limit)
        }
    }

    /// Finishes every transfer libcurl reports done: reads its outcome, takes its handle off the multi
    /// handle, and resumes its task.
    private func finishDone() {
        var curl: UnsafeMutableRawPointer?
        var code = CURLE_OK
        var connects = 0
        while ccurl_multi_next_done(self.multi.raw, &curl, &code) != 0 {
            guard let done = curl, let (transfer, easy) = self.inFlight.removeValue(forKey: done) else { continue }
            let outcome = transfer.outcome(code, on: done, connectionsOpened: &connects)
            _ = curl_multi_remove_handle(self.multi.raw, done)
            self.recycle(easy)
            transfer.finish(outcome)
        }
        if connects > 0 { self.opened.add(connects, ordering: .relaxed) }
    }

    /// Resets a handle off the multi handle (clearing every option, so no pointer into a finished
    /// transfer stays in it) and keeps it, up to the limit.
    private func recycle(_ easy: CurlEasyHandle) {
        curl_easy_reset(easy.raw)
        if self.idleHandles.count < Self.idleHandleLimit { self.idleHandles.append(easy) }
    }
}
