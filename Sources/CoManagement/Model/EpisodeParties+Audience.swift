extension EpisodeParties {
    /// The keys of the participants that a party speaking for `represents` is: those whose key, party
    /// reference or one of whose party identifiers (`system|value`) is in `represents`.
    public func participantKeys(representedBy represents: Set<String>) -> [String] {
        self.participants.filter { $0.names.contains(where: represents.contains) }.map(\.key)
    }

    /// The keys consent is asked about for a party speaking for `represents`: what it represents and the
    /// participants it is, sorted and without repeats, so a decision does not depend on configuration order.
    public func consentKeys(representing represents: Set<String>) -> [String] {
        Array(represents.union(self.participantKeys(representedBy: represents))).sorted()
    }

    /// Whether the patient's consent lets a party speaking for `represents` see this episode, with
    /// `defaultPermit` deciding when no Consent applies (``ConsentState/permits(_:defaultPermit:)``).
    public func consentPermits(representing represents: Set<String>, defaultPermit: Bool) -> Bool {
        self.consent.permits(self.consentKeys(representing: represents), defaultPermit: defaultPermit)
    }
}
