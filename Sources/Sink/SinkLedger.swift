/// What a partner endpoint has received, per subscription and per episode: finds numbers still missing,
/// duplicates and events of one episode out of order.
///
/// Tandem numbers events per subscription (the Subscriptions Backport IG's event numbers), across all its
/// episodes, and delivers each episode's events in order. So an episode's events must arrive with rising
/// numbers (anything else is ``Verdict/late(highestSeen:)``), while numbers of other episodes may overtake
/// each other: a number past the highest seen leaves those between ``Verdict/ahead(missing:)``, and they
/// ``Verdict/filled`` when they come. A number a PostgreSQL transaction drew and rolled back never comes
/// (`$events` answers nothing for it).
///
/// A duplicate is recognised by its delivery id (Tandem repeats the id on every retry). A redelivery
/// (`tandem redeliver`: a new delivery id naming the original) is reported as such, whatever its number, and
/// leaves expectations alone. Pure and value-typed: the sink keeps one behind a lock.
public struct SinkLedger: Sendable {
    /// How one arrival fits what came before.
    public enum Verdict: Sendable, Hashable, CustomStringConvertible {
        /// The next event number of the subscription, and the latest of its episode.
        case inOrder
        /// The latest of its episode, but numbers before it have not arrived (yet): `missing`.
        case ahead(missing: ClosedRange<Int>)
        /// A number that was missing, arriving after later ones of other episodes.
        case filled
        /// A delivery id seen before: a retry of something already received.
        case duplicate
        /// A number at or below the highest of its own episode: the episode's order was broken.
        case late(highestSeen: Int)
        /// A deliberate re-send of the delivery `original` (its event number announced again).
        case redelivered(original: String)

        public var description: String {
            switch self {
            case .inOrder: "in-order"
            case .ahead(let missing):
                missing.count == 1
                    ? "ahead (missing \(missing.lowerBound) so far)"
                    : "ahead (missing \(missing.lowerBound)-\(missing.upperBound) so far)"
            case .filled: "filled"
            case .duplicate: "duplicate"
            case .late(let highest): "late (after \(highest) of its episode)"
            case .redelivered(let original): "REDELIVERY of \(original)"
            }
        }
    }

    /// Counts over everything recorded.
    public struct Totals: Sendable, Hashable {
        public var received = 0
        public var inOrder = 0
        public var ahead = 0
        public var filled = 0
        public var duplicates = 0
        public var late = 0
        public var redeliveries = 0
    }

    private struct Subscription: Sendable {
        var highest = 0
        var missing: Set<Int> = []
        /// The highest number of each episode.
        var episodes: [String: Int] = [:]
    }

    private var subscriptions: [String: Subscription] = [:]
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
        var subscription = self.subscriptions[partner, default: Subscription()]
        defer { self.subscriptions[partner] = subscription }
        if let highest = subscription.episodes[episode], eventNumber <= highest {
            self.totals.late += 1
            return .late(highestSeen: highest)
        }
        subscription.episodes[episode] = eventNumber
        if eventNumber == subscription.highest + 1 {
            subscription.highest = eventNumber
            self.totals.inOrder += 1
            return .inOrder
        }
        if eventNumber > subscription.highest + 1 {
            let missing = (subscription.highest + 1)...(eventNumber - 1)
            subscription.missing.formUnion(missing)
            subscription.highest = eventNumber
            self.totals.ahead += 1
            return .ahead(missing: missing)
        }
        subscription.missing.remove(eventNumber)
        self.totals.filled += 1
        return .filled
    }

    /// The numbers of a subscription skipped and still not received.
    public func missing(partner: String) -> [Int] {
        self.subscriptions[partner]?.missing.sorted() ?? []
    }
}
