import CoManagement
import Foundation
import Testing

@Suite struct MappingSetTests {
    @Test func shippedMappingsLoad() throws {
        let mappings = try MappingFixtures.shipped()
        #expect(
            mappings.serviceLines.map(\.id) == [
                "behavioral-health.integrated", "cardiology.service-line", "endocrinology.diabetes",
                "ophthalmology.cataract", "orthopedics.hip-fracture",
            ]
        )
        #expect(mappings.trustedIdentifierSystems.first == "http://hospital.example.org/fhir/sid/mrn")
        #expect(mappings.extraction.path("performer", of: "ServiceRequest", sender: nil)?.text == "performer.first()")
        #expect(
            mappings.extraction.path("performer", of: "ServiceRequest", sender: "lakeside-eye-surgery")?.text
                .hasPrefix("extension(") == true
        )
        let ack = Coding(system: "http://lakeside-eye.example.org/fhir/CodeSystem/referral-state", code: "ACK")
        #expect(mappings.conceptMaps.translate(ack).map(\.code) == ["accepted"])
        let local = Coding(system: "http://hospital.example.org/fhir/CodeSystem/service", code: "CAT-PHACO")
        #expect(mappings.serviceLines(triggeredBy: [local]).map(\.id) == ["ophthalmology.cataract"])
        #expect(mappings.warnings.allSatisfy { $0.severity == .warning })
    }

    @Test func malformedJSONNamesFileAndLine() throws {
        let broken = try MappingFixtures.text(of: "roles.json").replacingOccurrences(
            of: "\"rules\": [",
            with: "\"rules\" ["
        )
        let errors = try #require(loadErrors(MappingFixtures.replacing("roles.json", with: broken)))
        let problem = try #require(errors.problems.first { $0.file == "roles.json" })
        #expect(problem.line == 3)
        #expect(problem.message.contains("malformed JSON"))
    }

    @Test func unknownRoleInHandoffIsReported() throws {
        let path = "service-lines/ophthalmology.cataract.json"
        let broken = try MappingFixtures.text(of: path)
            .replacingOccurrences(
                of: #""from": "surgeon", "to": "optometrist""#,
                with: #""from": "surgeon", "to": "optician""#
            )
        let errors = try #require(loadErrors(MappingFixtures.replacing(path, with: broken)))
        let problem = try #require(errors.problems.first { $0.message.contains("unknown role 'optician'") })
        #expect(problem.file == path)
        #expect(problem.line == 17)
    }

    @Test func missingFieldIsReportedAtItsObject() throws {
        let path = "service-lines/cardiology.service-line.json"
        let broken = try MappingFixtures.text(of: path)
            .replacingOccurrences(of: #"  "performerRole": "cardiology-group",\#n"#, with: "")
        let errors = try #require(loadErrors(MappingFixtures.replacing(path, with: broken)))
        let problem = try #require(errors.problems.first { $0.message.contains("missing field 'performerRole'") })
        #expect(problem.file == path && problem.line == 1)
    }

    @Test func serviceLineIdMustMatchFileName() throws {
        let text = try MappingFixtures.text(of: "service-lines/cardiology.service-line.json")
        let errors = try #require(loadErrors(MappingFixtures.replacing("service-lines/cardiology.json", with: text)))
        #expect(
            errors.problems.contains { $0.file == "service-lines/cardiology.json" && $0.message.contains("file name") }
        )
    }

    @Test func phaseOwnedByNoRoleIsAnError() throws {
        let path = "service-lines/orthopedics.hip-fracture.json"
        let broken = try MappingFixtures.text(of: path)
            .replacingOccurrences(
                of: #""hospitalist": ["medical-optimisation", "post-operative-medical", "discharge"]"#,
                with: #""hospitalist": ["medical-optimisation", "post-operative-medical"]"#
            )
        let errors = try #require(loadErrors(MappingFixtures.replacing(path, with: broken)))
        #expect(errors.problems.contains { $0.file == path && $0.message == "phase 'discharge' is owned by no role" })
    }

    @Test func unknownFieldAndBadExpressionAreErrors() throws {
        let broken = try MappingFixtures.text(of: "extraction.json")
            .replacingOccurrences(of: #""birthDate": "birthDate""#, with: #""birthDay": "birthDate""#)
            .replacingOccurrences(of: #""intent": "intent","#, with: #""intent": "intent.(","#)
        let errors = try #require(loadErrors(MappingFixtures.replacing("extraction.json", with: broken)))
        #expect(errors.problems.contains { $0.message.contains("unknown field 'birthDay'") && $0.line == 7 })
        #expect(errors.problems.contains { $0.message.contains("missing field 'birthDate'") })
        #expect(errors.problems.contains { $0.message.contains("ServiceRequest.intent does not parse") })
    }

    @Test func roleKnownToNoServiceLineIsOnlyAWarning() throws {
        let extended = try MappingFixtures.text(of: "roles.json").replacingOccurrences(
            of: #""rules": ["#,
            with: #""rules": [\#n    { "system": "http://x", "code": "1", "role": "dietitian" },"#
        )
        let mappings = try MappingSet.load(files: MappingFixtures.replacing("roles.json", with: extended))
        let warning = try #require(mappings.warnings.first { $0.message.contains("dietitian") })
        #expect(warning.severity == .warning && warning.line == 4)
    }

    @Test func invalidConceptMapIsAnError() throws {
        let path = "concept-maps/task-business-status.json"
        let broken = try MappingFixtures.text(of: path)
            .replacingOccurrences(
                of: #""code": "ACK", "target": [{ "code": "accepted", "equivalence": "equivalent" }]"#,
                with: #""code": "ACK", "target": [{ "code": "accepted", "equivalence": "same" }]"#
            )
        let errors = try #require(loadErrors(MappingFixtures.replacing(path, with: broken)))
        let problem = try #require(errors.problems.first { $0.file == path })
        #expect(problem.severity == .error && problem.line == 14, "\(errors)")
        #expect(problem.message.contains("ConceptMap.group[0].element[0].target[0].equivalence"), "\(errors)")
    }

    @Test func conceptMapMissingARequiredElementIsAnError() throws {
        let path = "concept-maps/local-service-codes.json"
        let broken = try MappingFixtures.text(of: path).replacingOccurrences(of: #"  "status": "active",\#n"#, with: "")
        let errors = try #require(loadErrors(MappingFixtures.replacing(path, with: broken)))
        #expect(errors.problems.contains { $0.file == path && $0.message.contains("status") }, "\(errors)")
    }

    @Test func conceptMapGroupWithoutSourceCannotTranslate() throws {
        let path = "concept-maps/task-business-status.json"
        let broken = try MappingFixtures.text(of: path)
            .replacingOccurrences(
                of: #""source": "http://lakeside-eye.example.org/fhir/CodeSystem/referral-state","#,
                with: ""
            )
        let errors = try #require(loadErrors(MappingFixtures.replacing(path, with: broken)))
        #expect(errors.problems.contains { $0.file == path && $0.message.contains("'source' and 'target'") })
    }

    @Test func resourceOtherThanConceptMapIsRefused() throws {
        let path = "concept-maps/patient.json"
        let text = #"{ "resourceType": "Patient", "id": "x" }"#
        let errors = try #require(loadErrors(MappingFixtures.replacing(path, with: text)))
        #expect(errors.problems.contains { $0.file == path && $0.message.contains("expected a ConceptMap") })
    }

    @Test func missingRequiredFileIsReported() throws {
        let files = try MappingFixtures.shippedFiles().filter { $0.path != "patients.json" }
        let errors = try #require(loadErrors(files))
        #expect(errors.problems.contains { $0.file == "patients.json" && $0.message.contains("missing") })
    }

    @Test func expectationsAreReadAndChecked() throws {
        let cataract = try #require(
            try MappingFixtures.shipped().serviceLines.first { $0.id == "ophthalmology.cataract" }
        )
        #expect(
            cataract.expectations
                == ServiceLine.Expectations(
                    acceptanceWithinHours: 48,
                    acknowledgementWithinDays: 2,
                    timeZone: "America/New_York"
                )
        )
        let path = "service-lines/ophthalmology.cataract.json"
        let broken = try MappingFixtures.text(of: path)
            .replacingOccurrences(of: #""acceptanceWithinHours": 48"#, with: #""acceptanceWithinHours": 0"#)
            .replacingOccurrences(of: #""America/New_York""#, with: #""Eastern Standard""#)
            .replacingOccurrences(
                of: #""acknowledgementWithinDays": 2"#,
                with: #""acknowledgementWithinDays": 2, "reminders": 1"#
            )
        let errors = try #require(loadErrors(MappingFixtures.replacing(path, with: broken)))
        let messages = errors.problems.filter { $0.file == path }.map(\.message)
        #expect(messages.contains { $0.contains("'acceptanceWithinHours' must be at least 1") })
        #expect(messages.contains { $0.contains("names no known time zone: 'Eastern Standard'") })
        #expect(messages.contains { $0.contains("unknown field 'reminders'") })
        #expect(errors.problems.filter { $0.file == path }.allSatisfy { $0.line == 19 })
    }

    private func loadErrors(_ files: [MappingFile]) -> MappingErrors? {
        do {
            _ = try MappingSet.load(files: files)
            return nil
        } catch {
            return error
        }
    }
}
