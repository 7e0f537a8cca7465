import Foundation

/// Bytes a process has caused to be written to storage (`write_bytes` in `/proc/PID/io`, Linux). The
/// latency run reports the gateway's: its WAL and the checkpoints' copies of it into the database, the
/// traffic each commit's sync shares the disk with.
enum ProcessIO {
    /// nil where `/proc` does not say (another OS, or the process has gone).
    static func bytesWritten(by pid: Int32) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/io", encoding: .utf8) else { return nil }
        let key = "write_bytes:"
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(key) }) else { return nil }
        return Int(line.dropFirst(key.count).trimmingCharacters(in: .whitespaces))
    }
}
