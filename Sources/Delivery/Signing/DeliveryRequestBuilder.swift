import Foundation
public import Store

/// Turns a planned delivery and its rendered body into the request for one attempt: content type,
/// authentication, the `X-Tandem-*` fields and the signature. Pure: the timestamp comes in.
public enum DeliveryRequestBuilder {
    /// Builds the request for one attempt.
    /// - Parameters:
    ///   - body: the rendered notification (``NotificationBuilder``), identical on every attempt.
    ///   - attempt: the attempt number from ``DeliveryStateMachine/Start/send(attempt:)``.
    ///   - timestamp: Unix seconds at sending; signed with the body.
    public static func request(
        for delivery: PlannedDelivery,
        partner: Partner,
        body: [UInt8],
        attempt: Int,
        timestamp: Int64
    ) -> DeliveryRequest {
        typealias Header = DeliverySignature.Header
        var headers: [(name: String, value: String)] = [
            ("Content-Type", partner.format.contentType),
            ("Accept", "application/fhir+json, application/json;q=0.9, */*;q=0.1"),
            (Header.deliveryID, delivery.id),
            (Header.eventNumber, String(delivery.eventNumber)),
            (Header.episode, delivery.episodeID),
            (Header.partner, partner.id),
            (Header.attempt, String(attempt)),
            (Header.timestamp, String(timestamp)),
        ]
        if let original = delivery.redeliveryOf { headers.append((Header.redeliveryOf, original)) }
        // The trace of the request that caused the event goes on, one span per attempt.
        if let trace = delivery.traceparent.flatMap(TraceParent.init) {
            headers.append(("traceparent", trace.child(seed: "\(delivery.id)/\(attempt)").description))
        }
        return self.finish(headers, partner: partner, body: body, timestamp: timestamp)
    }

    /// The request for a handshake or heartbeat: no episode or event number, a delivery id of its own, and
    /// `X-Tandem-Notification` naming the kind.
    public static func request(
        notification kind: String,
        id: String,
        partner: Partner,
        body: [UInt8],
        timestamp: Int64
    ) -> DeliveryRequest {
        typealias Header = DeliverySignature.Header
        let headers: [(name: String, value: String)] = [
            ("Content-Type", partner.format.contentType),
            ("Accept", "application/fhir+json, application/json;q=0.9, */*;q=0.1"),
            (Header.deliveryID, id),
            (Header.partner, partner.id),
            (Header.notification, kind),
            (Header.attempt, "1"),
            (Header.timestamp, String(timestamp)),
        ]
        return self.finish(headers, partner: partner, body: body, timestamp: timestamp)
    }

    /// Adds the subscription's own header fields, the signature and the authentication.
    private static func finish(
        _ headers: [(name: String, value: String)],
        partner: Partner,
        body: [UInt8],
        timestamp: Int64
    ) -> DeliveryRequest {
        typealias Header = DeliverySignature.Header
        var headers = headers
        // `Subscription.channel.header`: fields the partner asked for, never ones the gateway sets.
        let reserved = Set(headers.map { $0.name.lowercased() } + ["host", "content-length", "transfer-encoding"])
        for field in partner.headers {
            let parts = field.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, !reserved.contains(parts[0].lowercased()),
                !parts.joined().contains(where: \.isNewline)
            else { continue }
            headers.append((parts[0], parts[1]))
        }
        if let secret = partner.hmacSecret {
            headers.append((Header.signature, DeliverySignature.sign(body: body, timestamp: timestamp, secret: secret)))
        }
        var tls = TLSSettings(caBundlePath: partner.caBundlePath)
        switch partner.auth {
        case .none:
            break
        case .bearer(let token):
            headers.append(("Authorization", "Bearer \(token)"))
        case .basic(let user, let password):
            headers.append(("Authorization", "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()))
        case .clientCertificate(let certificatePath, let keyPath, let keyPassword):
            tls.clientCertificatePath = certificatePath
            tls.clientKeyPath = keyPath
            tls.clientKeyPassword = keyPassword
        }
        return DeliveryRequest(
            partnerID: partner.id,
            url: partner.endpoint,
            headers: headers,
            body: body,
            timeout: partner.timeout,
            tls: tls
        )
    }
}
