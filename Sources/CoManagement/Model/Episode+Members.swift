extension Episode {
    /// The resources the episode holds, as `Type/id` references: the resources it was derived from
    /// (``sources``), its patient, and its participants' parties. What a partner routed this episode may
    /// read, and what makes a sender's resource take part in it.
    ///
    /// Only plain relative references count; Bundle `fullUrl`s, contained (`#id`) and identifier keys of
    /// resources held without an id name nothing a client could read.
    public var memberReferences: [String] {
        var references = Set(self.sources)
        if let patient = self.patient.reference { references.insert(patient) }
        for participant in self.participants {
            if let party = participant.party.reference { references.insert(party) }
        }
        return references.filter(Self.isReadableReference).sorted()
    }

    private static func isReadableReference(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty
            && !text.contains(where: { $0 == ":" || $0 == "#" || $0 == "?" })
    }
}
