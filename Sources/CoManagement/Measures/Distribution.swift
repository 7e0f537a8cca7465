/// Durations in hours summarised: how many, the median, the 90th percentile and the longest.
///
/// Percentiles are nearest-rank (the smallest value with at least that share of values at or below it),
/// so every figure is one of the durations measured; all nil when none was.
public struct Distribution: Sendable, Hashable, Codable {
    public var count: Int
    public var p50: Double?
    public var p90: Double?
    public var max: Double?

    public init(_ hours: [Double]) {
        let sorted = hours.sorted()
        self.count = sorted.count
        func rank(_ share: Double) -> Double? {
            guard !sorted.isEmpty else { return nil }
            let index = Int((share * Double(sorted.count)).rounded(.up)) - 1
            return sorted[Swift.max(0, Swift.min(sorted.count - 1, index))]
        }
        self.p50 = rank(0.5)
        self.p90 = rank(0.9)
        self.max = sorted.last
    }
}
