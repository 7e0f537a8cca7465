import Foundation

/// CPU time of this process's threads, grouped by what the delivery benchmark runs on them. Read from
/// `/proc/self/task/*/schedstat` (nanoseconds on a CPU) and `comm` (the thread's name).
///
/// It shows where a round's CPU went without a profiler: above all how much the SQLite drain spends on
/// the store's own threads, which no change to the forwarder can remove.
enum ThreadCPU {
    /// What a thread does, told from its name.
    enum Role: CaseIterable, Sendable {
        /// `TP-#…`, `NIOThreadPool` threads: the store's writer, readers and checkpointer during a SQLite
        /// drain; the raw loop's blocking clients during the floor.
        case threadPool
        /// `curl-…`: the forwarder's transfer loop (``CurlTransport``).
        case transport
        /// Swift's cooperative pool (dispatch's `…qos…` threads): the forwarder's tasks and the sink's
        /// request handlers.
        case cooperativePool
        /// `NIO-…`: the sink's event loops.
        case eventLoops
        case other

        init(threadName name: String) {
            if name.hasPrefix("TP-#") {
                self = .threadPool
            } else if name.hasPrefix("curl-") {
                self = .transport
            } else if name.contains("qos") {
                self = .cooperativePool
            } else if name.hasPrefix("NIO-") {
                self = .eventLoops
            } else {
                self = .other
            }
        }

        var label: String {
            switch self {
            case .threadPool: "thread pools"
            case .transport: "transport"
            case .cooperativePool: "cooperative pool"
            case .eventLoops: "event loops"
            case .other: "other"
            }
        }
    }

    /// Each live thread's role and CPU nanoseconds so far, by thread id.
    struct Snapshot: Sendable {
        var threads: [Int: (role: Role, nanoseconds: UInt64)] = [:]

        /// Seconds of CPU per role from `earlier` to this snapshot, each thread counted under its role now.
        /// A thread that ended in between is missing from it; a thread that started (or a new thread given
        /// an ended one's id, its count below the old one's) counts from zero.
        func seconds(since earlier: Snapshot) -> [Role: Double] {
            var seconds: [Role: Double] = [:]
            for (id, thread) in self.threads {
                let before = earlier.threads[id]?.nanoseconds ?? 0
                let spent = thread.nanoseconds >= before ? thread.nanoseconds - before : thread.nanoseconds
                seconds[thread.role, default: 0] += Double(spent) / 1e9
            }
            return seconds
        }
    }

    static func snapshot() -> Snapshot {
        var snapshot = Snapshot()
        let tasks = "/proc/self/task"
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: tasks)) ?? [] {
            guard let id = Int(entry),
                let schedstat = try? String(contentsOfFile: "\(tasks)/\(entry)/schedstat", encoding: .utf8),
                let nanoseconds = schedstat.split(separator: " ").first.flatMap({ UInt64($0) }),
                let name = try? String(contentsOfFile: "\(tasks)/\(entry)/comm", encoding: .utf8)
            else { continue }
            snapshot.threads[id] = (Role(threadName: name.trimmingCharacters(in: .newlines)), nanoseconds)
        }
        return snapshot
    }
}
