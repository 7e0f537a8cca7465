/// Renders ``HistoryProbe/Result`` as two tables, each measured row beside its baseline and issue 20's
/// target, and a line saying which targets the run met.
struct HistoryReport {
    /// Issue 20's targets: after 100,000 episodes ready within 3 s and at most 300 MB resident; a
    /// patient's 300th referral at most twice as slow as its first.
    static let readySeconds = 3.0
    static let residentMegabytes = 300.0
    static let referralRatio = 2.0
    static let targetEpisodes = 100_000

    var result: HistoryProbe.Result
    var probe: HistoryProbe
    var compare: Int

    func render() -> String {
        let result = self.result
        let megabytes = { (bytes: Int) in (Double(bytes) / 1_000_000).formatted(0) }
        var lines = [
            "",
            "history: tandem serve on SQLite, \(self.probe.episodes) episodes posted \(self.probe.connections) at a "
                + "time, each a new referral for a new patient (MB = 10⁶ bytes)",
            "ingest: \(result.ingested) answered 2xx, \(result.failed) failed, in \(result.ingestSeconds.formatted(1)) s "
                + "(\(Self.rate(result.ingested, result.ingestSeconds))/s); resident at the end "
                + "\(megabytes(result.residentAfterIngest)) MB (peak \(megabytes(result.peakAfterIngest)) MB); "
                + "graceful stop \(result.stopSeconds.formatted(2)) s",
            "",
            "restart on the store".padded(34) + "ready s".leftAligned(9) + "RSS at ready MB".leftAligned(18)
                + "peak MB".leftAligned(10) + "RSS after \(self.probe.warmUp) referrals MB".leftAligned(30)
                + "GET /measures s".leftAligned(16),
        ]
        for (name, restart) in [
            ("empty store (baseline)", result.empty), ("after \(result.ingested) episodes", result.full),
        ] {
            lines.append(
                name.padded(34) + restart.secondsToReady.formatted(2).leftAligned(9)
                    + megabytes(restart.residentAtReady).leftAligned(18)
                    + megabytes(restart.peakAtReady).leftAligned(10)
                    + megabytes(restart.residentAfterWarmUp).leftAligned(30)
                    + restart.measuresSeconds.formatted(2).leftAligned(16)
            )
        }
        let megabyteTarget = "≤ \(Self.residentMegabytes.formatted(0))"
        lines.append(
            "target after \(Self.targetEpisodes) episodes".padded(34)
                + "≤ \(Self.readySeconds.formatted(1))".leftAligned(9)
                + megabyteTarget.leftAligned(18) + "".leftAligned(10) + megabyteTarget.leftAligned(30)
        )
        let count = result.onePatient.count
        let one = self.firstAndLast(result.onePatient)
        let many = self.firstAndLast(result.manyPatients)
        lines += [
            "",
            "\(count) referrals posted one after another, interleaved".padded(50)
                + "p50 first \(self.compare) ms".leftAligned(19) + "p50 last \(self.compare) ms".leftAligned(18)
                + "last / first".leftAligned(14),
            self.seriesRow("one patient, \(count) referrals", one),
            self.seriesRow("\(count) new patients, one each (baseline)", many),
            "target".padded(50) + "".leftAligned(37) + "≤ \(Self.referralRatio.formatted(1))×".leftAligned(14),
            "",
            self.verdict(one: one),
        ]
        return lines.joined(separator: "\n")
    }

    /// The median of the first and of the last ``compare`` values.
    func firstAndLast(_ values: [Double]) -> (first: Double, last: Double) {
        (Self.median(values.prefix(self.compare)), Self.median(values.suffix(self.compare)))
    }

    private func seriesRow(_ name: String, _ figures: (first: Double, last: Double)) -> String {
        name.padded(50) + figures.first.formatted(2).leftAligned(19) + figures.last.formatted(2).leftAligned(18)
            + "\((figures.last / figures.first).formatted(2))×".leftAligned(14)
    }

    private func verdict(one: (first: Double, last: Double)) -> String {
        let full = self.result.full
        let resident = Double(max(full.residentAtReady, full.residentAfterWarmUp)) / 1_000_000
        let checks = [
            ("ready ≤ \(Self.readySeconds.formatted(0)) s", full.secondsToReady <= Self.readySeconds),
            ("resident ≤ \(Self.residentMegabytes.formatted(0)) MB", resident <= Self.residentMegabytes),
            ("last ≤ \(Self.referralRatio.formatted(0))× first", one.last <= Self.referralRatio * one.first),
        ]
        var line = "issue 20 targets: " + checks.map { "\($0.0) \($0.1 ? "met" : "MISSED")" }.joined(separator: "; ")
        if self.result.ingested < Self.targetEpisodes {
            line += " (the first two are set for \(Self.targetEpisodes) episodes; this run had \(self.result.ingested))"
        }
        return line
    }

    static func median<Values: Collection<Double>>(_ values: Values) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    private static func rate(_ count: Int, _ seconds: Double) -> String {
        seconds > 0 ? (Double(count) / seconds).formatted(0) : "-"
    }
}
