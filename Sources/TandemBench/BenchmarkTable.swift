import FHIRCore

/// Runs each measurement for at least a minimum time and renders the figures side by side.
struct BenchmarkTable {
    struct Row {
        var corpus: String
        var format: WireFormat
        var stage: String
        var megabytesPerSecond: Double
        var resourcesPerSecond: Double
        var floorRatio: String
    }

    let minimumSeconds: Double
    private(set) var rows: [Row] = []

    init(minimumSeconds: Double) {
        self.minimumSeconds = minimumSeconds
    }

    mutating func measure(corpus: String, format: WireFormat, documents: [[UInt8]], resources: Int) {
        let bytes = documents.reduce(0) { $0 + $1.count }
        let parsed = documents.map { try? FHIRCodec.read($0, as: format) }
        precondition(parsed.allSatisfy { $0 != nil }, "the benchmark corpus must read without fatal issues")
        let trees = parsed.compactMap { $0 }

        let floor = self.time {
            for document in documents { _ = format == .json ? RawParsers.json(document) : RawParsers.xml(document) }
        }
        let read = self.time { for document in documents { _ = try? FHIRCodec.read(document, as: format) } }
        let validate = self.time { for tree in trees { _ = Validator.validate(tree) } }
        let write = self.time { for tree in trees { _ = FHIRCodec.write(tree.root, as: format) } }

        let floorName = format == .json ? "raw JSONSerialization" : "raw xmlReadMemory"
        func row(_ stage: String, _ seconds: Double, ratio: String) -> Row {
            Row(
                corpus: corpus,
                format: format,
                stage: stage,
                megabytesPerSecond: Double(bytes) / 1_000_000 / seconds,
                resourcesPerSecond: Double(resources) / seconds,
                floorRatio: ratio
            )
        }
        self.rows.append(row(floorName, floor, ratio: "1.00×"))
        self.rows.append(row("read", read, ratio: Self.ratio(read / floor)))
        self.rows.append(row("validate", validate, ratio: ""))
        self.rows.append(row("write", write, ratio: ""))
        self.rows.append(row("read+validate", read + validate, ratio: Self.ratio((read + validate) / floor)))
    }

    /// Seconds per pass, averaged over as many passes as fit in the minimum time (after one warm-up pass).
    private func time(_ pass: () -> Void) -> Double {
        pass()
        let clock = ContinuousClock()
        var passes = 0
        let start = clock.now
        var elapsed = Duration.zero
        repeat {
            pass()
            passes += 1
            elapsed = clock.now - start
        } while elapsed < .seconds(self.minimumSeconds) || passes < 3
        return elapsed.seconds / Double(passes)
    }

    private static func ratio(_ value: Double) -> String {
        "\(value.formatted(2))× floor time"
    }

    func render() -> String {
        var lines = ["corpus        format  stage                     MB/s   resources/s   vs floor"]
        for row in self.rows {
            lines.append(
                row.corpus.padded(14) + row.format.rawValue.padded(8) + row.stage.padded(22)
                    + row.megabytesPerSecond.formatted(1).leftAligned(9) + "  "
                    + row.resourcesPerSecond.formatted(0).leftAligned(12) + "   " + row.floorRatio
            )
        }
        return lines.joined(separator: "\n")
    }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = self.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

extension Double {
    func formatted(_ digits: Int) -> String {
        var factor = 1.0
        for _ in 0..<digits { factor *= 10 }
        let rounded = (self * factor).rounded() / factor
        if digits == 0 { return String(Int(rounded)) }
        var text = String(rounded)
        let decimals = text.split(separator: ".").last?.count ?? 0
        if decimals < digits { text += String(repeating: "0", count: digits - decimals) }
        return text
    }
}

extension String {
    func padded(_ width: Int) -> String { self + String(repeating: " ", count: max(1, width - self.count)) }
    func leftAligned(_ width: Int) -> String { String(repeating: " ", count: max(0, width - self.count)) + self }
}
