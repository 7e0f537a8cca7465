import CLibXML2
import Foundation
import Testing

@testable import FHIRCore

/// Compares the reader with a bare `xmlReadMemory` (DOM) over the official examples. Timing is only
/// meaningful in a release build, so it runs when `TANDEM_BENCH=1`:
/// `TANDEM_BENCH=1 swift test -c release --filter XMLPerformanceTests`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["TANDEM_BENCH"] == "1" && ExampleCorpus.root != nil))
struct XMLPerformanceTests {
    @Test func readerIsWithinTwiceARawLibxml2Parse() throws {
        let examples = try ExampleCorpus.xmlExamples().map(\.bytes)
        let rounds = 20
        let clock = ContinuousClock()
        func measure(_ body: ([UInt8]) -> Void) -> Duration {
            var best = Duration.seconds(1_000)
            for _ in 0..<5 {
                let elapsed = clock.measure {
                    for _ in 0..<rounds { examples.forEach(body) }
                }
                best = min(best, elapsed)
            }
            return best
        }
        let raw = measure { bytes in
            bytes.withUnsafeBufferPointer { buffer in
                buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { pointer in
                    let document = xmlReadMemory(
                        pointer,
                        Int32(buffer.count),
                        nil,
                        nil,
                        Int32(XML_PARSE_NONET.rawValue)
                    )
                    xmlFreeDoc(document)
                }
            }
        }
        let ours = measure { bytes in _ = try? FHIRXML.read(bytes) }
        print("xmlReadMemory \(raw), FHIRXML.read \(ours), ratio \(ours / raw)")
        #expect(ours / raw < 2.0)
    }
}
