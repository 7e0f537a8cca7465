import CoManagement
import Foundation

@testable import Delivery

/// Episodes, partners and events shared by the delivery suites.
enum Fixtures {
    static let surgeon = Participant(
        key: "http://hl7.org/fhir/sid/us-npi|1111111111",
        party: Party(
            kind: .practitioner,
            reference: "Practitioner/surgeon-1",
            identifiers: [Identifier(system: "http://hl7.org/fhir/sid/us-npi", value: "1111111111")]
        ),
        role: "surgeon",
        phases: ["surgery"]
    )

    static let optometrist = Participant(
        key: "Organization/eyecare-1",
        party: Party(kind: .organization, reference: "Organization/eyecare-1", identifiers: []),
        role: "optometrist",
        phases: ["post-operative"]
    )

    static func parties(consent: ConsentState = ConsentState()) -> EpisodeParties {
        self.episode(consent: consent).parties
    }

    static func episode(consent: ConsentState = ConsentState()) -> Episode {
        var episode = Episode(
            id: "ep-1",
            patient: PatientSummary(key: "urn:mrn|42", reference: "Patient/p-1"),
            serviceLine: "ophthalmology.cataract"
        )
        episode.participants = [Self.surgeon, Self.optometrist]
        episode.consent = consent
        return episode
    }

    static func event(
        _ number: Int,
        _ kind: EventKind,
        source: String = "ServiceRequest/sr-1/_history/2"
    )
        -> TimelineEvent
    {
        TimelineEvent(number: number, kind: kind, at: nil, summary: "\(kind.rawValue) #\(number)", source: source)
    }

    static func partner(
        _ id: String,
        represents: Set<String> = [],
        serviceLines: Set<String> = [],
        topics: Set<String> = ["*"],
        format: NotificationFormat = .fhirJSON,
        payload: PayloadMode = .full,
        secret: String? = nil,
        endpoint: String = "http://127.0.0.1:9/notify"
    ) -> Partner {
        Partner(
            id: id,
            endpoint: URL(string: endpoint)!,
            format: format,
            payload: payload,
            topics: topics,
            represents: represents,
            serviceLines: serviceLines,
            hmacSecret: secret
        )
    }
}
