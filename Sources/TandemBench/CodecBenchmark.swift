import ArgumentParser
import FHIRCore
import Foundation

/// `tandem-bench codec`: read, validate and write throughput for JSON and XML over the official example
/// corpus and a generated ~5 MB transaction Bundle, beside the raw parse floor on the same bytes
/// (Foundation `JSONSerialization` for JSON, libxml2 `xmlReadMemory` for XML), and the memory the Bundle
/// costs to read.
struct CodecBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codec",
        abstract: "Benchmark the FHIR JSON and XML codecs against raw parsers on the same bytes."
    )

    @Option(help: "The fhir-r4 folder holding examples/json and examples/xml.")
    var corpus: String = "../shared/fhir-r4"

    @Option(help: "Approximate size of the generated transaction Bundle, in MB.")
    var bundleMegabytes: Double = 5

    @Option(help: "Minimum seconds spent on each measurement.")
    var seconds: Double = 1

    func run() throws {
        #if DEBUG
        print("warning: this is a debug build; run `swift build -c release` and .build/release/tandem for real figures")
        #endif
        let examples = try ExampleSet.load(corpusFolder: self.corpus)
        let bundle = try BundleGenerator.transaction(from: examples, targetBytes: Int(self.bundleMegabytes * 1_000_000))
        // Memory is measured in a child process, so what this process allocated does not blur it.
        let memory = try MemoryProbe.measure(bundle: bundle)

        var table = BenchmarkTable(minimumSeconds: self.seconds)
        for format in WireFormat.allCases {
            table.measure(
                corpus: "examples",
                format: format,
                documents: examples.documents(format),
                resources: examples.count
            )
            table.measure(
                corpus: "5 MB Bundle",
                format: format,
                documents: [bundle.bytes(format)],
                resources: bundle.resourceCount
            )
        }
        print(table.render())
        print(memory.render())
    }
}
