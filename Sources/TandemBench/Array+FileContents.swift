import Foundation

extension Array where Element == UInt8 {
    /// The bytes of the file at `url`.
    ///
    /// Copied out of the `Data` through its buffer, never by iterating it: in a release build of this
    /// module the Swift 6.3.1 optimiser crashed (`reference to top-level declaration 'memcpy' broken by a
    /// context change`, while deserialising `Data._copyContents`) on `[UInt8](data)`, and likewise on
    /// `String(decoding: data, as: UTF8.self)`.
    init(contentsOf url: URL) throws {
        let data = try Data(contentsOf: url)
        self = data.withUnsafeBytes { Array($0) }
    }
}
