import Foundation
import Logging

/// Writes log lines to standard error, in `StreamLogHandler`'s format, rendering a logger's metadata only
/// when a line is written.
///
/// `StreamLogHandler` renders its metadata as text whenever it changes. The gateway changes a request's
/// logger metadata several times per request (Hummingbird's request id, the correlation id, the sender)
/// and writes at most one line for it, none at `warning`; this handler's setter only copies the metadata
/// dictionary (docs/performance.md, "Ingest").
struct StandardErrorLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    /// With the process's metadata provider, as `StreamLogHandler.standardError(label:)` has it.
    init(label: String, logLevel: Logger.Level) {
        self.label = label
        self.logLevel = logLevel
        self.metadataProvider = LoggingSystem.metadataProvider
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var line = Self.timestamp() + " \(event.level)"
        if !self.label.isEmpty { line += " " + self.label }
        line += ":"
        if let metadata = Self.render(self.effectiveMetadata(event)) { line += " " + metadata }
        line += " [\(event.source)] \(event.message)\n"
        // One write(2) per line (unless the pipe takes less), so lines from concurrent tasks do not
        // interleave.
        let bytes = Array(line.utf8)
        bytes.withUnsafeBufferPointer { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(STDERR_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0, errno == EINTR { continue }
                guard written > 0 else { return }
                offset += written
            }
        }
    }

    /// The logger's metadata, then the provider's, then the line's own, later ones winning; and the
    /// line's error, as `StreamLogHandler` adds it.
    func effectiveMetadata(_ event: LogEvent) -> Logger.Metadata {
        var metadata = self.metadata
        if let provided = self.metadataProvider?.get(), !provided.isEmpty {
            metadata.merge(provided) { _, provided in provided }
        }
        if let explicit = event.metadata, !explicit.isEmpty {
            metadata.merge(explicit) { _, explicit in explicit }
        }
        if let error = event.error {
            metadata["error.message"] = "\(error)"
            metadata["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        return metadata
    }

    /// `key=value` pairs in key order, or nil for none.
    static func render(_ metadata: Logger.Metadata) -> String? {
        guard !metadata.isEmpty else { return nil }
        return metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }

    /// Local time to the second with the UTC offset, as `StreamLogHandler` writes it.
    private static func timestamp() -> String {
        var now = time(nil)
        var local = tm()
        guard localtime_r(&now, &local) != nil else { return "<unknown>" }
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &local)
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
