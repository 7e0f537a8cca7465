import ArgumentParser
import FHIRCore
import Foundation

/// What reading the generated Bundle costs in memory, measured in a fresh child process so that nothing
/// the benchmark allocated before (and the allocator kept) hides or inflates the figure: the child reads
/// the file into memory, notes its resident set, reads the Bundle into a tree, and reports the peak
/// resident set (`VmHWM`) and the resident set with the tree still held.
struct MemoryProbe {
    struct Figure {
        var format: WireFormat
        var inputBytes: Int
        var peakGrowth: Int
        var retainedGrowth: Int
    }

    var figures: [Figure] = []

    static func measure(bundle: GeneratedBundle) throws -> MemoryProbe {
        var probe = MemoryProbe()
        for format in WireFormat.allCases {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent(
                "tandem-bundle-\(UUID()).\(format)"
            )
            try Data(bundle.bytes(format)).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            let process = Process()
            // This very executable, found through Linux's link to it.
            process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            process.arguments = ["memory-probe", file.path]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            let text = String(data: output.fileHandleForReading.readDataToEndOfFile(), encoding: .utf8) ?? ""
            process.waitUntilExit()
            let numbers = text.split(separator: " ").compactMap {
                Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            guard process.terminationStatus == 0, numbers.count == 2 else {
                throw ValidationError("memory probe failed for \(format): \(text)")
            }
            probe.figures.append(
                Figure(
                    format: format,
                    inputBytes: bundle.bytes(format).count,
                    peakGrowth: numbers[0],
                    retainedGrowth: numbers[1]
                )
            )
        }
        return probe
    }

    func render() -> String {
        var lines = ["", "memory for the generated Bundle, in a fresh process (target: under 10× its size)"]
        for figure in self.figures {
            let size = Double(figure.inputBytes)
            let megabytes = { (bytes: Int) in (Double(bytes) / 1_000_000).formatted(2) }
            lines.append(
                "  \(figure.format.rawValue): input \(megabytes(figure.inputBytes)) MB; resident growth while reading: "
                    + "peak \(megabytes(figure.peakGrowth)) MB (\((Double(figure.peakGrowth) / size).formatted(2))×), "
                    + "kept with the tree \(megabytes(figure.retainedGrowth)) MB (\((Double(figure.retainedGrowth) / size).formatted(2))×)"
            )
        }
        return lines.joined(separator: "\n")
    }
}

/// `tandem-bench memory-probe FILE`: the child side of ``MemoryProbe``. Prints two numbers: the peak
/// resident growth while reading and the growth kept with the tree, both in bytes.
struct MemoryProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "memory-probe",
        abstract: "Read one file and print its memory cost (used by `bench codec`).",
        shouldDisplay: false
    )

    @Argument var file: String

    func run() throws {
        let bytes = try [UInt8](contentsOf: URL(fileURLWithPath: self.file))
        _ = R4Metadata.shared  // the metadata tables are the process's, not the Bundle's
        _ = try? FHIRCodec.read(Array(#"{"resourceType":"Basic","code":{"text":"warm-up"}}"#.utf8))
        _ = try? FHIRCodec.read(
            Array(#"<Basic xmlns="http://hl7.org/fhir"><code><text value="w"/></code></Basic>"#.utf8)
        )
        let resetWorked = ProcStatus.resetPeak()
        let before = ProcStatus.bytes("VmRSS") ?? 0
        let parsed = try FHIRCodec.read(bytes)
        let peak = ProcStatus.bytes("VmHWM") ?? 0
        let after = ProcStatus.bytes("VmRSS") ?? 0
        withExtendedLifetime(parsed) {}
        guard resetWorked else { throw ValidationError("cannot reset the peak resident set (/proc/self/clear_refs)") }
        print(peak - before, after - before)
    }
}

/// Reads `/proc/PID/status` (Linux).
enum ProcStatus {
    /// Resets the kernel's peak-RSS mark for this process (Linux 4.0+: write 5 to clear_refs).
    static func resetPeak() -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        return (try? handle.write(contentsOf: Data("5".utf8))) != nil
    }

    /// A field of this process's status, or process `pid`'s, in bytes (`VmRSS`, `VmHWM`); nil when it
    /// cannot be read (the process has gone).
    static func bytes(_ field: String, of pid: Int32? = nil) -> Int? {
        let path = "/proc/\(pid.map { String($0) } ?? "self")/status"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            return line.split(separator: " ").compactMap { Int($0) }.first.map { $0 * 1024 }
        }
        return nil
    }
}
