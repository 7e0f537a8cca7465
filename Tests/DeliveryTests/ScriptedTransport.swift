import Synchronization

@testable import Delivery

/// A ``Transport`` that answers from a script and records every request: for tests of the forwarder and of
/// anything built on ``DeliveryDriver``, with no network.
final class ScriptedTransport: Transport {
    private struct State {
        var script: [Result<DeliveryResponse, TransportError>]
        var requests: [DeliveryRequest] = []
    }

    private let state: Mutex<State>
    private let fallback: Result<DeliveryResponse, TransportError>

    /// - Parameters:
    ///   - script: the answers, used in order, one per request.
    ///   - fallback: the answer once the script has run out.
    init(
        _ script: [Result<DeliveryResponse, TransportError>] = [],
        fallback: Result<DeliveryResponse, TransportError> = .success(DeliveryResponse(status: 200))
    ) {
        self.state = Mutex(State(script: script))
        self.fallback = fallback
    }

    /// Shorthand for a script of HTTP statuses.
    convenience init(statuses: [Int]) {
        self.init(statuses.map { .success(DeliveryResponse(status: $0)) })
    }

    func send(_ request: DeliveryRequest) async -> Result<DeliveryResponse, TransportError> {
        self.state.withLock { state in
            state.requests.append(request)
            return state.script.isEmpty ? self.fallback : state.script.removeFirst()
        }
    }

    /// Every request sent so far, in order.
    var requests: [DeliveryRequest] { self.state.withLock { $0.requests } }
}
