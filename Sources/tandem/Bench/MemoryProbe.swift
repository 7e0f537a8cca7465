import FHIRCore
import Foundation

/// What reading the generated Bundle costs in memory: the peak resident set while reading (Linux
/// `VmHWM`, reset through `/proc/self/clear_refs` first) and the resident growth the finished tree keeps.
struct MemoryProbe {
    struct Figure {
        var format: WireFormat
        var inputBytes: Int
        var peakBytes: Int?
        var retainedBytes: Int
    }

    var figures: [Figure] = []

    static func measure(bundle: GeneratedBundle) -> MemoryProbe {
        var probe = MemoryProbe()
        for format in WireFormat.allCases {
            let bytes = bundle.bytes(format)
            let resetWorked = Self.resetPeak()
            let residentBefore = Self.status("VmRSS")
            let heapBefore = Self.heapInUse()
            let parsed = try? FHIRCodec.read(bytes, as: format)
            let heapAfter = Self.heapInUse()
            let peak = Self.status("VmHWM")
            withExtendedLifetime(parsed) {}
            probe.figures.append(
                Figure(
                    format: format, inputBytes: bytes.count,
                    peakBytes: resetWorked ? peak.flatMap { peak in residentBefore.map { peak - $0 } } : nil,
                    retainedBytes: heapAfter - heapBefore
                )
            )
        }
        return probe
    }

    func render() -> String {
        var lines = ["", "memory for the generated Bundle (target: under 10× its size)"]
        for figure in self.figures {
            let size = Double(figure.inputBytes)
            var line = "  \(figure.format.rawValue): input \((size / 1_000_000).formatted(2)) MB, tree kept (resident growth) "
            line += "\((Double(figure.retainedBytes) / 1_000_000).formatted(2)) MB (\((Double(figure.retainedBytes) / size).formatted(2))×)"
            if let peak = figure.peakBytes {
                line += ", peak resident growth while reading \((Double(peak) / 1_000_000).formatted(2)) MB (\((Double(peak) / size).formatted(2))×)"
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    /// Resets the kernel's peak-RSS mark for this process (Linux 4.0+: write 5 to clear_refs).
    private static func resetPeak() -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        return (try? handle.write(contentsOf: Data("5".utf8))) != nil
    }

    /// A `/proc/self/status` field in bytes (`VmRSS`, `VmHWM`).
    private static func status(_ field: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            let kilobytes = line.split(separator: " ").compactMap { Int($0) }.first
            return kilobytes.map { $0 * 1024 }
        }
        return nil
    }

    /// Resident bytes now (`VmRSS`): taken before and after reading, with the tree still held, it is what
    /// the finished tree keeps.
    private static func heapInUse() -> Int {
        self.status("VmRSS") ?? 0
    }
}
