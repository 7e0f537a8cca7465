import FHIRCore

extension ServiceLine {
    /// Reads and checks one service-line file, with where each trigger ValueSet URL is written; nil when
    /// it has errors (all recorded in `reader`).
    static func read(
        _ root: JSONValue,
        fileID: String,
        _ reader: inout MappingReader
    ) -> (line: ServiceLine, triggersAt: [SourceLocation])? {
        guard var fields = reader.object(root, "service line") else { return nil }
        let idValue = fields.required("id", &reader)
        let id = idValue.flatMap { reader.string($0, "'id'") }
        if let id, let idValue, id != fileID {
            reader.error("service line id '\(id)' does not match its file name '\(fileID).json'", at: idValue.location)
        }
        let title = fields.required("title", &reader).flatMap { reader.string($0, "'title'") }
        let triggers = fields.required("triggers", &reader).flatMap { Self.readTriggers($0, &reader) }
        let phasesValue = fields.required("phases", &reader)
        let phases = phasesValue.flatMap { reader.strings($0, "'phases'") }
        let roles = fields.required("roles", &reader).flatMap { Self.readRoles($0, &reader) }
        let requesterValue = fields.required("requesterRole", &reader)
        let performerValue = fields.required("performerRole", &reader)
        let requesterRole = requesterValue.flatMap { reader.string($0, "'requesterRole'") }
        let performerRole = performerValue.flatMap { reader.string($0, "'performerRole'") }
        let handoffs = fields.required("handoffs", &reader).flatMap { Self.readHandoffs($0, &reader) }
        let reports = fields.required("reports", &reader).flatMap { Self.readReports($0, &reader) }
        let expectationsValue = fields.optional("expectations")
        let expectations = expectationsValue.map { Self.readExpectations($0, &reader) } ?? Expectations()
        fields.finish(&reader)
        guard let id, let title, let triggers, let phases, let roles, let requesterRole, let performerRole,
            let handoffs, let reports
        else { return nil }
        var line = ServiceLine(
            id: id,
            title: title,
            triggers: triggers.map(\.0),
            phases: phases,
            roles: roles.map(\.0),
            requesterRole: requesterRole,
            performerRole: performerRole,
            handoffs: handoffs.map(\.0),
            reports: reports.map(\.0)
        )
        line.expectations = expectations
        let before = reader.problems.count
        line.check(phasesAt: phasesValue?.location, roles: roles, handoffs: handoffs, reports: reports, &reader)
        if let requesterValue, !line.knows(role: requesterRole) {
            reader.error(
                "requesterRole '\(requesterRole)' is not one of the service line's roles",
                at: requesterValue.location
            )
        }
        if let performerValue, !line.knows(role: performerRole) {
            reader.error(
                "performerRole '\(performerRole)' is not one of the service line's roles",
                at: performerValue.location
            )
        }
        return reader.problems.count == before ? (line, triggers.map(\.1)) : nil
    }

    /// Cross-field rules: every phase owned, roles and handoffs and reports name known roles and phases.
    private func check(
        phasesAt location: SourceLocation?,
        roles: [(RolePhases, SourceLocation)],
        handoffs: [(HandoffRule, SourceLocation)],
        reports: [(ReportRule, SourceLocation)],
        _ reader: inout MappingReader
    ) {
        if Set(self.phases).count != self.phases.count, let location {
            reader.error("'phases' lists a phase twice", at: location)
        }
        for (role, location) in roles {
            for phase in role.phases where !self.phases.contains(phase) {
                reader.error("role '\(role.role)' owns unknown phase '\(phase)'", at: location)
            }
        }
        for phase in self.phases where !self.roles.contains(where: { $0.phases.contains(phase) }) {
            reader.error("phase '\(phase)' is owned by no role", at: location ?? .unknown)
        }
        for (handoff, location) in handoffs {
            if !self.phases.contains(handoff.phase) {
                reader.error("handoff names unknown phase '\(handoff.phase)'", at: location)
            }
            for role in [handoff.from, handoff.to] where !self.knows(role: role) {
                reader.error("handoff names unknown role '\(role)'", at: location)
            }
        }
        for (report, location) in reports where !self.knows(role: report.from) {
            reader.error("report '\(report.kind)' names unknown role '\(report.from)'", at: location)
        }
    }

    /// `triggers`: the canonical URLs of the line's trigger ValueSets, with where each is written (the
    /// loader checks that each names a loaded ValueSet).
    private static func readTriggers(_ value: JSONValue, _ reader: inout MappingReader) -> [(String, SourceLocation)]? {
        guard let items = reader.array(value, "'triggers'") else { return nil }
        let urls = items.compactMap { item in
            reader.string(item, "each trigger ValueSet URL").map { ($0, item.location) }
        }
        if urls.isEmpty { reader.error("'triggers' names no ValueSet", at: value.location) }
        return urls.count == items.count && !urls.isEmpty ? urls : nil
    }

    private static func readRoles(_ value: JSONValue, _ reader: inout MappingReader) -> [(RolePhases, SourceLocation)]?
    {
        guard let fields = reader.object(value, "'roles'") else { return nil }
        var roles: [(RolePhases, SourceLocation)] = []
        for member in fields.members {
            if let phases = reader.strings(member.value, "phases of role '\(member.key)'") {
                roles.append((RolePhases(role: member.key, phases: phases), member.keyLocation))
            }
        }
        return roles.count == fields.members.count ? roles : nil
    }

    private static func readHandoffs(
        _ value: JSONValue,
        _ reader: inout MappingReader
    ) -> [(HandoffRule, SourceLocation)]? {
        guard let items = reader.array(value, "'handoffs'") else { return nil }
        var handoffs: [(HandoffRule, SourceLocation)] = []
        for item in items {
            guard var fields = reader.object(item, "handoff") else { continue }
            let phase = fields.required("phase", &reader).flatMap { reader.string($0, "handoff 'phase'") }
            let from = fields.required("from", &reader).flatMap { reader.string($0, "handoff 'from'") }
            let to = fields.required("to", &reader).flatMap { reader.string($0, "handoff 'to'") }
            fields.finish(&reader)
            if let phase, let from, let to {
                handoffs.append((HandoffRule(phase: phase, from: from, to: to), item.location))
            }
        }
        return handoffs.count == items.count ? handoffs : nil
    }

    private static func readReports(
        _ value: JSONValue,
        _ reader: inout MappingReader
    ) -> [(ReportRule, SourceLocation)]? {
        guard let items = reader.array(value, "'reports'") else { return nil }
        var reports: [(ReportRule, SourceLocation)] = []
        for item in items {
            guard var fields = reader.object(item, "report") else { continue }
            let kind = fields.required("kind", &reader).flatMap { reader.string($0, "report 'kind'") }
            let from = fields.required("from", &reader).flatMap { reader.string($0, "report 'from'") }
            let codes = fields.required("codes", &reader).flatMap { Self.readCodings($0, &reader) }
            let days = fields.required("dueDaysAfterHandoff", &reader).flatMap {
                reader.integer($0, "'dueDaysAfterHandoff'")
            }
            fields.finish(&reader)
            if let kind, let from, let codes, let days {
                reports.append(
                    (ReportRule(kind: kind, from: from, codes: codes, dueDaysAfterHandoff: days), item.location)
                )
            }
        }
        return reports.count == items.count ? reports : nil
    }

    private static func readCodings(_ value: JSONValue, _ reader: inout MappingReader) -> [Coding]? {
        guard let items = reader.array(value, "report 'codes'") else { return nil }
        var codings: [Coding] = []
        for item in items {
            guard var fields = reader.object(item, "report code") else { continue }
            let system = fields.required("system", &reader).flatMap { reader.string($0, "'system'") }
            let code = fields.required("code", &reader).flatMap { reader.string($0, "'code'") }
            fields.finish(&reader)
            if let system, let code { codings.append(Coding(system: system, code: code)) }
        }
        return codings.count == items.count ? codings : nil
    }
}
