internal import CZlib

/// gzip and deflate over the system zlib: the only place the gateway calls it.
///
/// Each call runs one stream from start to end on the caller's thread and frees it before returning; the
/// bodies are bounded (request limit, response size), so none blocks for long.
enum Zlib {
    /// Why a compressed body could not be read.
    enum Failure: Error, Equatable {
        /// The body inflates past the limit (a zip bomb, or simply too large).
        case tooLarge
        /// The bytes are not a valid stream of the coding, or end early.
        case corrupt
    }

    /// The window bits zlib reads a coding with: gzip, or zlib (RFC 1950) for HTTP's `deflate`.
    enum Format {
        case gzip
        case zlib
        /// Deflate without a header: what some clients send as `deflate`.
        case raw

        var windowBits: Int32 {
            switch self {
            case .gzip: 15 + 16
            case .zlib: 15
            case .raw: -15
            }
        }
    }

    /// Inflates `input`, refusing output beyond `limit` bytes before it is produced in full.
    static func inflate(_ input: [UInt8], format: Format, limit: Int) throws(Failure) -> [UInt8] {
        var stream = z_stream()
        guard czlib_inflate_init(&stream, format.windowBits) == Z_OK else { throw .corrupt }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        var input = input
        let result: Int32 = input.withUnsafeMutableBufferPointer { inputBuffer in
            stream.next_in = inputBuffer.baseAddress
            stream.avail_in = uInt(inputBuffer.count)
            while true {
                let (status, produced) = chunk.withUnsafeMutableBufferPointer { chunkBuffer in
                    stream.next_out = chunkBuffer.baseAddress
                    stream.avail_out = uInt(chunkBuffer.count)
                    let status = CZlib.inflate(&stream, Z_NO_FLUSH)
                    return (status, chunkBuffer.count - Int(stream.avail_out))
                }
                if output.count + produced > limit { return Z_MEM_ERROR }
                output.append(contentsOf: chunk[0..<produced])
                switch status {
                case Z_STREAM_END: return Z_STREAM_END
                case Z_OK: continue
                // No progress possible: the input ended before the stream did.
                case Z_BUF_ERROR where stream.avail_in == 0: return Z_DATA_ERROR
                default: return status
                }
            }
        }
        switch result {
        case Z_STREAM_END: return output
        case Z_MEM_ERROR: throw .tooLarge
        default: throw .corrupt
        }
    }

    /// Compresses `input` as gzip (RFC 1952).
    static func gzip(_ input: [UInt8], level: Int32 = 6) -> [UInt8] {
        var stream = z_stream()
        guard czlib_deflate_init(&stream, level, Format.gzip.windowBits) == Z_OK else { return [] }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 32)
        var input = input
        let written: Int = input.withUnsafeMutableBufferPointer { inputBuffer in
            output.withUnsafeMutableBufferPointer { outputBuffer in
                stream.next_in = inputBuffer.baseAddress
                stream.avail_in = uInt(inputBuffer.count)
                stream.next_out = outputBuffer.baseAddress
                stream.avail_out = uInt(outputBuffer.count)
                // deflateBound leaves room for the whole stream, so one Z_FINISH ends it.
                guard CZlib.deflate(&stream, Z_FINISH) == Z_STREAM_END else { return 0 }
                return outputBuffer.count - Int(stream.avail_out)
            }
        }
        return Array(output[0..<written])
    }
}
