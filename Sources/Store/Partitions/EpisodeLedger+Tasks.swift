import CoManagement
import FHIRCore
import Foundation

/// Tandem's own hand-off Tasks (``CoManagement/HandoffTaskResources``), written in the transaction of the
/// partition write that needs them: as resources owned by ``CoManagement/HandoffTaskResources/sender``,
/// held in the partition's book, and told to partners with the write's other changes.
extension EpisodeLedger {
    /// The Tasks a partition write's episodes need written, as resource writes (an update of the Task's
    /// id, which creates it the first time).
    static func taskWrites(_ write: PartitionWrite) -> [ResourceWrite] {
        HandoffTaskResources.writes(for: write.book).compactMap { task in
            guard let id = task.resourceID else { return nil }
            var content = task
            content.children.removeAll { $0.name == "id" || $0.name == "meta" }
            let tokens = task.children(named: "identifier").compactMap { identifier -> String? in
                guard let value = identifier.string("value") else { return nil }
                return "\(identifier.string("system") ?? "")|\(value)"
            }
            return ResourceWrite(
                type: "Task",
                mode: .update(id: id, ifMatch: nil),
                content: FHIRJSON.write(content),
                identifierKey: tokens.first,
                identifiers: tokens,
                resource: task
            )
        }
    }

    /// Holds Tandem's stored Tasks (with id and version) in the write's book; their changes follow the
    /// write's own, and they are written with the partition's resources. Rows encoded ahead of the writer
    /// (``PartitionWrite/rows``) no longer hold the write, so they are dropped and encoded again. The Tasks
    /// arrive after `arrival`, the start of a block of numbers the store reserved for them.
    func follow(_ write: inout PartitionWrite, with tasks: [Element], after arrival: Int) {
        guard !tasks.isEmpty else { return }
        let normaliser = self.normaliser
        var book = write.book
        write.rows = nil
        book.continueArrivals(after: arrival)
        let input = tasks.count == 1 ? tasks[0] : Self.collection(tasks)
        let ingestion = normaliser.ingest(input, sender: HandoffTaskResources.sender, into: &book)
        write.ingestion.append(ingestion)
        let held = ingestion.storedKeys.compactMap { book.resources[$0] }
        write.resources += held
        write.names = Array(
            Set(
                write.names
                    + held.flatMap { ResourceLinks.linkNames(of: $0).linking + ResourceLinks.linkNames(of: $0).shared }
            )
        )
        write.book = book
    }

    /// The audit entry of a Task Tandem wrote.
    static func taskAudit(_ result: WriteResult, messageID: Int64?, at: Int64) -> AuditEntry {
        AuditEntry(
            at: Date(storeMilliseconds: at),
            action: result.disposition.rawValue,
            outcome: .success,
            sender: HandoffTaskResources.sender,
            resourceReference: result.resource.versionedReference,
            messageID: messageID,
            detail: "hand-off task"
        )
    }
}
