import ArgumentParser
import CoManagement
import FHIRCore
import Foundation

/// `tandem-bench normaliser`: the pure normaliser's cost of one patient's n-th referral, against the same
/// referral for a patient with nothing held (a fresh partition), in the same run: how a message's cost
/// grows with the patient's history, without HTTP or storage.
struct NormaliserBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "normaliser",
        abstract: "Time one patient's referrals as they accumulate, against a patient with nothing held."
    )

    @Option(help: "Referrals for one patient, one after another.") var referrals = 300
    @Option(help: "How many of the first and of the last are compared (medians).") var compare = 30
    @Option(help: "The Mappings directory.") var mappings = "Mappings"

    func run() throws {
        #if DEBUG
        print("warning: this is a debug build; run `swift build -c release` for real figures")
        #endif
        let normaliser = Normaliser(mappings: try Self.loadMappings(at: self.mappings))
        let clock = ContinuousClock()
        var book = EpisodeBook()
        var samePatient: [Duration] = []
        var freshPatient: [Duration] = []
        for index in 1...self.referrals {
            let referral = Self.referral(index, patient: "p-one")
            samePatient.append(clock.measure { _ = normaliser.ingest(referral, sender: "bench", into: &book) })
            var fresh = EpisodeBook()
            let alone = Self.referral(index, patient: "p-\(index)")
            freshPatient.append(clock.measure { _ = normaliser.ingest(alone, sender: "bench", into: &fresh) })
        }
        let count = min(self.compare, self.referrals)
        func median(_ values: ArraySlice<Duration>) -> Double {
            let sorted = values.sorted()
            let middle = sorted[sorted.startIndex + sorted.count / 2]
            return Double(middle.components.attoseconds) / 1e12 + Double(middle.components.seconds) * 1e6
        }
        print("normaliser, pure: \(self.referrals) referrals, medians of the first and last \(count) (µs)")
        print("series                                first     last   last / first")
        for (name, series) in [
            ("one patient (its history grows)", samePatient), ("a fresh patient each (baseline)", freshPatient),
        ] {
            let first = median(series.prefix(count))
            let last = median(series.suffix(count))
            print(
                name.padding(toLength: 36, withPad: " ", startingAt: 0),
                String(format: "%7.1f  %7.1f   %5.2f×", first, last, last / first)
            )
        }
        print("episodes held for the one patient: \(book.episodes.count)")
    }

    /// A cataract referral (CPT 66984) with its own identifier for `patient`.
    static func referral(_ index: Int, patient: String) -> Element {
        let json = #"""
            {"resourceType":"ServiceRequest","id":"sr-\#(index)","status":"active","intent":"order",
             "meta":{"versionId":"1"},
             "identifier":[{"system":"urn:bench","value":"\#(index)"}],
             "code":{"coding":[{"system":"http://www.ama-assn.org/go/cpt","code":"66984"}]},
             "subject":{"reference":"Patient/\#(patient)"},"authoredOn":"2026-03-02T09:00:00Z",
             "performer":[{"reference":"Practitioner/surgeon"}]}
            """#
        // The text above is a valid resource: a failure to read it is a bug in this benchmark.
        return try! FHIRJSON.read(Array(json.utf8)).root
    }

    static func loadMappings(at path: String) throws -> MappingSet {
        let base = URL(fileURLWithPath: path).standardizedFileURL
        var files: [MappingFile] = []
        for relative in FileManager.default.subpaths(atPath: base.path) ?? [] {
            var isDirectory: ObjCBool = false
            let url = base.appendingPathComponent(relative)
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue
            else { continue }
            files.append(MappingFile(path: relative, bytes: try [UInt8](contentsOf: url)))
        }
        return try MappingSet.load(files: files)
    }
}
