public import FHIRCore

/// The `Task`s Tandem writes into its own store for hand-offs no sender's Task tracks (``HandoffTask``).
///
/// Pure: a book in, Task resources out. Each follows the Referral Task of HL7's BSeR guide: `requester` the
/// handing party, `owner` the receiving one, `focus` the ServiceRequest or CarePlan handed over (a hand-off
/// Task is also `basedOn` the episode's referral, which keeps it in the episode), `for` the patient, status
/// `requested` with BSeR's business status `2.0` (service request created), `restriction.period.end` the
/// due time. Its id and its identifier follow from the hand-off's key, so replicas, re-sent messages and a
/// dry run make the same Task. When another Task comes to track the hand-off (the sender's), or the
/// hand-off was answered otherwise, Tandem's Task is cancelled rather than left open.
public enum HandoffTaskResources {
    /// The owner of Tandem's Tasks in the store, and their sender as the normaliser holds them. No
    /// configured sender may take this name.
    public static let sender = "tandem"
    /// The system of the identifier each of Tandem's Tasks carries, its value the hand-off's key.
    public static let identifierSystem = "http://tandem.example.org/fhir/sid/hand-off-task"
    /// BSeR's Task business statuses (`2.0` created, `3.0` accepted, `4.0` declined).
    public static let businessStatusSystem = "http://hl7.org/fhir/us/bser/CodeSystem/TaskBusinessStatusCS"
    /// Statuses in which a Task still waits for its owner.
    static let open: Set<String> = ["draft", "requested", "received", "ready", "on-hold"]

    /// The gateway id of Tandem's Task for a hand-off key.
    public static func id(for key: String) -> String { "tt-" + FNV1a.hex(key) }

    /// The Tasks to write for the book's episodes: a new one (with its id, without `meta`) for each
    /// hand-off that no Task tracks and nobody answered; a cancelled version of Tandem's own where another
    /// Task tracks the hand-off or it was answered otherwise. Empty when nothing is to be written.
    public static func writes(for book: EpisodeBook) -> [Element] {
        var writes: [String: Element] = [:]
        for episode in book.sortedEpisodes {
            for task in episode.tasks {
                if task.task == nil, task.tandemTask == nil, !task.isAnswered {
                    if let created = self.created(task, in: episode) { writes[task.key] = created }
                    continue
                }
                guard let own = task.tandemTask, var held = book.resources[own]?.resource,
                    Self.open.contains(held.string("status") ?? "")
                else { continue }
                let replaced = task.task != own
                guard replaced || task.answeredAt != nil || task.isAnswered else { continue }
                held.replaceChildren(named: "status", with: [Element(name: "status", type: "code", value: "cancelled")])
                let reason = replaced ? "tracked by \(task.task ?? "another Task")" : "answered otherwise"
                held.replaceChildren(
                    named: "statusReason",
                    with: [
                        Element(
                            name: "statusReason",
                            type: "CodeableConcept",
                            children: [Element(name: "text", type: "string", value: reason)]
                        )
                    ]
                )
                writes[task.key] = held
            }
        }
        return writes.keys.sorted().map { writes[$0]! }
    }

    /// A new Task for a hand-off, or nil when its parties cannot be named.
    static func created(_ task: HandoffTask, in episode: Episode) -> Element? {
        func party(_ key: String) -> Party? { episode.participants.first { $0.key == key }?.party }
        guard let requester = party(task.requester), let owner = party(task.owner) else { return nil }
        let what =
            task.kind == .referral
            ? "Accept or decline the referral \(task.key.dropFirst("referral|".count))"
            : "Acknowledge the hand-off of \(task.key.split(separator: "|").dropFirst().first ?? "care")"
        var children: [Element] = [
            Element(name: "id", type: "id", value: self.id(for: task.key)),
            Element(
                name: "identifier",
                type: "Identifier",
                children: [
                    Element(name: "system", type: "uri", value: self.identifierSystem),
                    Element(name: "value", type: "string", value: task.key),
                ]
            ),
        ]
        let referral = episode.referrals.first?.reference
        if task.kind == .handoff, let referral {
            children.append(self.reference("basedOn", referral))
        }
        children += [
            Element(name: "status", type: "code", value: "requested"),
            self.concept(
                "businessStatus",
                system: self.businessStatusSystem,
                code: "2.0",
                display: "Service Request Created"
            ),
            Element(name: "intent", type: "code", value: "order"),
            self.concept("code", system: "http://hl7.org/fhir/CodeSystem/task-code", code: "fulfill", display: nil),
            Element(name: "description", type: "string", value: what),
        ]
        if let focus = task.focus { children.append(self.reference("focus", focus)) }
        if let patient = self.reference("for", episode.patient) { children.append(patient) }
        if let authored = task.authoredOn {
            children.append(Element(name: "authoredOn", type: "dateTime", value: authored))
            children.append(Element(name: "lastModified", type: "dateTime", value: authored))
        }
        children.append(self.reference("requester", requester))
        children.append(self.reference("owner", owner))
        if let due = task.dueBy {
            children.append(
                Element(
                    name: "restriction",
                    type: "Task.Restriction",
                    children: [
                        Element(
                            name: "period",
                            type: "Period",
                            children: [Element(name: "end", type: "dateTime", value: due)]
                        )
                    ]
                )
            )
        }
        return Element(name: "Task", type: "Task", children: children)
    }

    /// A CodeableConcept of one coding.
    private static func concept(_ name: String, system: String, code: String, display: String?) -> Element {
        let coding = Element(
            name: "coding",
            type: "Coding",
            children: [
                Element(name: "system", type: "uri", value: system), Element(name: "code", type: "code", value: code),
            ] + (display.map { [Element(name: "display", type: "string", value: $0)] } ?? [])
        )
        return Element(name: name, type: "CodeableConcept", children: [coding])
    }

    private static func reference(_ name: String, _ target: String) -> Element {
        Element(name: name, type: "Reference", children: [Element(name: "reference", type: "string", value: target)])
    }

    /// A reference to a party: by gateway reference when it has one, else by its first identifier.
    private static func reference(_ name: String, _ party: Party) -> Element {
        var children: [Element] = []
        if let reference = party.reference {
            children.append(Element(name: "reference", type: "string", value: reference))
        } else if let identifier = party.identifiers.sorted().first {
            children.append(self.identifier(identifier))
        }
        if let display = party.display { children.append(Element(name: "display", type: "string", value: display)) }
        return Element(name: name, type: "Reference", children: children)
    }

    private static func reference(_ name: String, _ patient: PatientSummary) -> Element? {
        if let reference = patient.reference { return self.reference(name, reference) }
        guard let identifier = patient.identifiers.sorted().first else { return nil }
        return Element(name: name, type: "Reference", children: [self.identifier(identifier)])
    }

    private static func identifier(_ identifier: Identifier) -> Element {
        Element(
            name: "identifier",
            type: "Identifier",
            children: (identifier.system.map { [Element(name: "system", type: "uri", value: $0)] } ?? [])
                + [Element(name: "value", type: "string", value: identifier.value)]
        )
    }
}
