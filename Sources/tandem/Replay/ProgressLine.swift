import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The replay's progress: a bar redrawn in place on a terminal, nothing but the result lines otherwise
/// (a pipe or a log file gets plain lines, with no carriage returns in them).
struct ProgressLine {
    let total: Int
    let isTerminal: Bool

    init(total: Int, isTerminal: Bool = isatty(STDOUT_FILENO) == 1) {
        self.total = total
        self.isTerminal = isTerminal
    }

    /// Shows that file `index` (from 0) is on its way.
    func sending(_ index: Int, _ name: String) {
        guard self.isTerminal else { return }
        let width = 24
        let done = self.total == 0 ? width : width * index / self.total
        let bar = String(repeating: "#", count: done) + String(repeating: "-", count: width - done)
        Self.write("\r\u{1B}[2K[\(bar)] \(index + 1)/\(self.total) \(URL(fileURLWithPath: name).lastPathComponent)")
    }

    /// Prints one result line above the bar.
    func print(_ line: String) {
        Self.write((self.isTerminal ? "\r\u{1B}[2K" : "") + line + "\n")
    }

    /// Removes the bar.
    func finish() {
        if self.isTerminal { Self.write("\r\u{1B}[2K") }
    }

    private static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
