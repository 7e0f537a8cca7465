public import ArgumentParser
import FHIRCore
import Foundation

/// Reads a command's input: a file path, or `-` for standard input.
enum InputFile {
    static func bytes(_ path: String) throws -> [UInt8] {
        if path == "-" {
            return [UInt8](FileHandle.standardInput.readDataToEndOfFile())
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("Cannot read '\(path)': no such file or not readable")
        }
        return [UInt8](data)
    }
}

/// Writes bytes to standard output or standard error without going through `print`'s String conversion.
enum Output {
    static func write(_ bytes: [UInt8], to handle: FileHandle = .standardOutput) {
        handle.write(Data(bytes))
        if bytes.last != UInt8(ascii: "\n") { handle.write(Data([UInt8(ascii: "\n")])) }
    }
}

/// Lets `--to json` and `--format xml` parse straight into a ``WireFormat``.
extension WireFormat: ExpressibleByArgument {}
