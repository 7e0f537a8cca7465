import FHIRCore

extension FactReader {
    /// A resolved target viewed as a held resource of its own, so the extraction mappings of its type
    /// apply (a contained Patient is read with the Patient fields, under its container's sender).
    func view(_ target: ResourceIndex.Target) -> HeldResource? {
        guard let resource = target.resource, let holder = target.holder else { return nil }
        return HeldResource(
            key: target.key,
            fullUrl: nil,
            sender: holder.sender,
            resource: resource,
            arrival: holder.arrival
        )
    }

    /// The patient a resource is about, keyed the way episodes are matched.
    ///
    /// Key: the first trusted identifier system (in `patients.json` order) of the Patient the reference
    /// resolves to; else a trusted identifier on the reference itself; else any identifier on the
    /// reference; else the reference (`Patient/1`, normalised from an absolute URL).
    func patient(_ subject: FieldReader.Subject, _ facts: inout Facts) -> PatientSummary? {
        let item = subject.item
        guard let reference = self.fields.references("patient", of: subject).first,
            let target = self.fields.resolve(reference, from: item)
        else {
            facts.warn(item, .required, "no patient: the resource names no subject the mappings can read")
            return nil
        }
        var summary = PatientSummary(key: target.key, reference: target.key)
        var candidates: [Identifier] = []
        if let view = self.view(target), view.resource.type == "Patient" {
            let patient = self.fields.subject(view)
            summary.identifiers = self.fields.identifiers("identifiers", of: patient).sorted()
            summary.name = FieldReader.displayName(self.fields.nodes("name", of: patient).first)
            summary.birthDate = self.fields.string("birthDate", of: patient)
            candidates = summary.identifiers
        } else if target.resource == nil {
            facts.warn(item, .notFound, "patient reference '\(target.key)' is not held yet; matched by the reference")
        }
        let logical = reference.child("identifier").flatMap(FieldReader.identifier(in:))
        for system in self.mappings.trustedIdentifierSystems {
            if let trusted = (candidates + [logical].compactMap { $0 }).first(where: { $0.system == system }) {
                summary.key = trusted.token
                return summary
            }
        }
        if let logical { summary.key = logical.token }
        return summary
    }

    /// Keys of the referrals a field references (`basedOn`, `focus`), resolved to held ServiceRequests
    /// where possible so that every route to one referral gives the same key.
    func referralKeys(_ field: String, of subject: FieldReader.Subject, _ facts: inout Facts) -> [String] {
        let item = subject.item
        var keys: [String] = []
        for reference in self.fields.references(field, of: subject) {
            guard let target = self.fields.resolve(reference, from: item) else { continue }
            guard target.type == nil || target.type == "ServiceRequest" else { continue }
            let key: String
            if let referral = self.view(target) {
                guard referral.resource.type == "ServiceRequest" else { continue }
                key = Self.referralKey(
                    referral,
                    identifiers: self.fields.identifiers("identifiers", of: self.fields.subject(referral))
                )
            } else {
                key = reference.child("identifier").flatMap(FieldReader.identifier(in:))?.token ?? target.key
                facts.warn(item, .notFound, "referenced referral '\(target.key)' is not held yet")
            }
            if !keys.contains(key) { keys.append(key) }
        }
        return keys
    }

    /// The party a reference names, with the role codes found on it.
    ///
    /// A PractitionerRole stands for its practitioner (so one person named through a role in one message
    /// and directly in another is one participant), contributing its code and specialty as role codes.
    func party(_ reference: Element, from item: HeldResource) -> PartyFact? {
        guard let target = self.fields.resolve(reference, from: item) else {
            guard let display = reference.string("display") else { return nil }
            return PartyFact(party: Party(kind: .unknown, display: display), roleCodes: [])
        }
        guard let view = self.view(target) else {
            let identifiers = reference.child("identifier").flatMap(FieldReader.identifier(in:)).map { [$0] } ?? []
            let key = reference.string("reference") == nil ? nil : target.key
            let party = Party(
                kind: Self.kind(target.type),
                reference: key,
                identifiers: identifiers,
                display: reference.string("display")
            )
            return PartyFact(party: party, roleCodes: [])
        }
        let resolved = self.fields.subject(view)
        let roleCodes = self.fields.codings("roleCodes", of: resolved)
        if view.resource.type == "PractitionerRole",
            let practitioner = self.fields.references("practitioner", of: resolved).first,
            var person = self.party(practitioner, from: view)
        {
            person.roleCodes = roleCodes + person.roleCodes
            if person.party.display == nil { person.party.display = reference.string("display") }
            return person
        }
        let party = Party(
            kind: Self.kind(view.resource.type),
            reference: target.key,
            identifiers: self.fields.identifiers("identifiers", of: resolved).sorted(),
            display: FieldReader.displayName(self.fields.nodes("name", of: resolved).first)
                ?? reference.string("display")
        )
        return PartyFact(party: party, roleCodes: roleCodes)
    }

    static func kind(_ type: String?) -> Party.Kind {
        switch type {
        case "Practitioner": .practitioner
        case "PractitionerRole": .practitionerRole
        case "Organization": .organization
        case "CareTeam": .careTeam
        case "Patient": .patient
        case "RelatedPerson": .relatedPerson
        default: .unknown
        }
    }
}
