/// What a replica hears from the election of its store's forwarder (``ForwarderElection``), in order.
public enum ForwarderElectionEvent: Sendable, Hashable {
    /// This replica now holds the store's forwarder lock: it claims the outbox.
    case elected
    /// It holds the lock no more (its connection to the store ended): another replica may be elected.
    case deposed
    /// Another replica planned deliveries: the elected forwarder should claim now rather than at its poll.
    case announced
}

/// How replicas that share a store (PostgreSQL) agree that one of them claims the outbox at a time, and
/// how the others tell it that they planned deliveries.
///
/// Why: every replica's forwarder claiming on its own multiplies claims and recordings with the number of
/// replicas, each a statement on the one database, while the deliveries stay the same
/// (docs/performance.md, "One forwarder per database"). Correctness never rests on the election: claims
/// lease rows, so two forwarders at once (a deposed leader finishing its runs beside the next) never share
/// a row or a stream; the election only spares the database the duplicate claims.
public protocol ForwarderElection: Sendable {
    /// Campaigns until the task is cancelled: tries for the forwarder lock every `interval` until it holds
    /// it, then reports what it hears while it holds it; after a lost connection it starts over. `events`
    /// is called from one task at a time, in order; ``ForwarderElectionEvent/deposed`` follows every
    /// ``ForwarderElectionEvent/elected``, cancellation included.
    func campaign(every interval: Duration, _ events: @escaping @Sendable (ForwarderElectionEvent) -> Void) async

    /// Tells the elected forwarder, wherever it runs, that this replica planned deliveries. A lost
    /// announcement costs latency only: the elected forwarder's poll finds the rows.
    func announcePlanned() async throws(StoreError)
}
