/// The resources an episode holds (`Type/id` references), as its row keeps them in `members`: one per
/// line, sorted, without repeats. The row's `owners` lists the senders owning them as `,a,b,`, so that
/// one sender's episodes are found by `instr(owners, ',' || sender || ',')`.
struct EpisodeMembers: Equatable {
    let references: Set<String>

    init(_ references: some Sequence<String>) {
        self.references = Set(references.filter { !$0.isEmpty })
    }

    /// Reads the `members` column.
    init(_ text: String) {
        self.init(text.split(separator: "\n").map(String.init))
    }

    /// The `members` column.
    var text: String { self.references.sorted().joined(separator: "\n") }

    /// The `owners` column for `owners`.
    static func ownerList(_ owners: Set<String>) -> String {
        owners.isEmpty ? "" : "," + owners.sorted().joined(separator: ",") + ","
    }
}

extension ResourceName {
    /// The name of a `Type/id` reference; nil for anything else.
    init?(reference: String) {
        let parts = reference.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        self.init(type: String(parts[0]), id: String(parts[1]))
    }
}
