/// What a partner endpoint has received, per (partner, episode): finds gaps, duplicates and late arrivals.
///
/// A duplicate is recognised by its delivery id (Tandem repeats the id on every retry); the event number
/// is only compared with what came before. A redelivery (`tandem redeliver`: a new delivery id naming the
/// original) is reported as such, whatever its number, and leaves the stream's expectations alone. Pure and value-typed: the sink keeps one behind a lock.
public struct SinkLedger: Sendable {
    /// How one arrival fits what came before.
    public enum Verdict: Sendable, Hashable, CustomStringConvertible {
        /// The next event number, as expected.
        case inOrder
        /// Numbers were skipped: `missing` never arrived (yet).
        case gap(missing: ClosedRange<Int>)
        /// A delivery id seen before: a retry of something already received.
        case duplicate
        /// A new delivery with a number at or below the highest seen: a gap being filled, or reordering.
        case late(highestSeen: Int)
        /// A deliberate re-send of the delivery `original` (its event number announced again).
        case redelivered(original: String)

        public var description: String {
            switch self {
            case .inOrder: "in-order"
            case .gap(let missing):
                missing.count == 1
                    ? "gap (missing \(missing.lowerBound))"
                    : "gap (missing \(missing.lowerBound)-\(missing.upperBound))"
            case .duplicate: "duplicate"
            case .late(let highest): "late (after \(highest))"
            case .redelivered(let original): "REDELIVERY of \(original)"
            }
        }
    }

    /// Counts over everything recorded.
    public struct Totals: Sendable, Hashable {
        public var received = 0
        public var inOrder = 0
        public var gaps = 0
        public var duplicates = 0
        public var late = 0
        public var redeliveries = 0
    }

    private struct Stream: Sendable {
        var highest = 0
        var missing: Set<Int> = []
    }

    private struct StreamKey: Sendable, Hashable {
        var partner: String
        var episode: String
    }

    private var streams: [StreamKey: Stream] = [:]
    private var deliveryIDs: Set<String> = []
    public private(set) var totals = Totals()

    public init() {}

    /// Records one accepted delivery and says how it fits.
    /// - Parameter redeliveryOf: the `X-Tandem-Redelivery-Of` field, on a deliberate re-send.
    public mutating func record(
        deliveryID: String,
        partner: String,
        episode: String,
        eventNumber: Int,
        redeliveryOf: String? = nil
    ) -> Verdict {
        self.totals.received += 1
        guard self.deliveryIDs.insert(deliveryID).inserted else {
            self.totals.duplicates += 1
            return .duplicate
        }
        if let original = redeliveryOf {
            self.totals.redeliveries += 1
            return .redelivered(original: original)
        }
        let key = StreamKey(partner: partner, episode: episode)
        var stream = self.streams[key, default: Stream()]
        defer { self.streams[key] = stream }
        if eventNumber == stream.highest + 1 {
            stream.highest = eventNumber
            self.totals.inOrder += 1
            return .inOrder
        }
        if eventNumber > stream.highest + 1 {
            let missing = (stream.highest + 1)...(eventNumber - 1)
            stream.missing.formUnion(missing)
            stream.highest = eventNumber
            self.totals.gaps += 1
            return .gap(missing: missing)
        }
        stream.missing.remove(eventNumber)
        self.totals.late += 1
        return .late(highestSeen: stream.highest)
    }

    /// Event numbers skipped and still not received, for one stream.
    public func missing(partner: String, episode: String) -> [Int] {
        self.streams[StreamKey(partner: partner, episode: episode)]?.missing.sorted() ?? []
    }
}
