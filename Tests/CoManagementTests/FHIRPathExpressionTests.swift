import CoManagement
import FHIRCore
import Testing

/// Engine behaviour on hand-built trees, independent of the codecs.
@Suite struct FHIRPathExpressionTests {
    static let observation = Element(
        name: "Observation",
        type: "Observation",
        children: [
            Element(name: "id", type: "id", value: "bp"),
            Element(
                name: "extension",
                type: "Extension",
                children: [
                    Element(name: "url", type: "uri", value: "http://example.org/based-on"),
                    Element(name: "value", type: "string", value: "SR/1"),
                ]
            ),
            Element(name: "status", type: "code", value: "final"),
            Element(
                name: "subject",
                type: "Reference",
                children: [Element(name: "reference", type: "string", value: "#p1")]
            ),
            Element(name: "effective", type: "dateTime", value: "2026-03-01T10:00:00Z"),
            Element(
                name: "value",
                type: "Quantity",
                children: [
                    Element(name: "value", type: "decimal", value: "1.50"),
                    Element(name: "system", type: "uri", value: "http://unitsofmeasure.org"),
                    Element(name: "code", type: "code", value: "g"),
                ]
            ),
        ]
    )

    static func evaluate(_ text: String, _ root: Element = observation) throws -> [FHIRPathValue] {
        try FHIRPathExpression(text).evaluate(root)
    }

    @Test func choiceElementsAnswerToBothNames() throws {
        #expect(try Self.evaluate("Observation.valueQuantity.value").map(\.description) == ["1.50"])
        #expect(try Self.evaluate("Observation.value.value").map(\.description) == ["1.50"])
        #expect(try Self.evaluate("Observation.value.ofType(Quantity).exists()") == [.boolean(true)])
        #expect(try Self.evaluate("Observation.value.is(Period)") == [.boolean(false)])
    }

    @Test func decimalsKeepTheirPrecision() throws {
        #expect(try Self.evaluate("value.value.toString()") == [.string("1.50")])
        #expect(try Self.evaluate("1.50 + 1.0") == [.decimal(FHIRDecimal("2.50")!)])
    }

    @Test func quantitiesConvertUnits() throws {
        #expect(try Self.evaluate("value = 1500 'mg'") == [.boolean(true)])
        #expect(try Self.evaluate("7 days = 1 week") == [.boolean(true)])
    }

    @Test func datesOfDifferentPrecisionAreIncomparable() throws {
        #expect(try Self.evaluate("@2026-03 = @2026-03-01").isEmpty)
        #expect(try Self.evaluate("effective > @2026-02-28") == [.boolean(true)])
        #expect(try Self.evaluate("@2026-01-31 + 1 month") == [.date(FHIRPathDateTime(dateTime: "2026-02-28")!)])
    }

    @Test func extensionByURL() throws {
        #expect(try Self.evaluate("extension('http://example.org/based-on').value").map(\.description) == ["SR/1"])
    }

    @Test func resolveFindsContainedResources() throws {
        var root = Self.observation
        root.children.insert(
            Element(name: "contained", type: "Patient", children: [Element(name: "id", type: "id", value: "p1")]),
            at: 1
        )
        #expect(try Self.evaluate("subject.resolve().is(Patient)", root) == [.boolean(true)])
    }

    @Test func threeValuedLogic() throws {
        #expect(try Self.evaluate("{} and false") == [.boolean(false)])
        #expect(try Self.evaluate("{} or false").isEmpty)
        #expect(try Self.evaluate("false implies {}") == [.boolean(true)])
    }

    @Test func nowComesFromTheEnvironment() throws {
        let environment = FHIRPathEnvironment(now: FHIRPathDateTime(dateTime: "2026-05-01T08:00:00Z"))
        let result = try FHIRPathExpression("today()").evaluate(Self.observation, environment: environment)
        #expect(result.map(\.description) == ["2026-05-01"])
        #expect(throws: FHIRPathError.self) { try FHIRPathExpression("now()").evaluate(Self.observation) }
    }

    @Test func syntaxErrorsCarryThePosition() {
        do {
            _ = try FHIRPathExpression("name.where(use = 'official'")
            Issue.record("expected a syntax error")
        } catch {
            #expect(error.kind == .syntax)
            #expect(error.position == 27)
        }
    }

    @Test func unknownFunctionsFailAtParseTime() {
        #expect(throws: FHIRPathError.self) { try FHIRPathExpression("name.frobnicate()") }
        #expect(throws: FHIRPathError.self) { try FHIRPathExpression("name.substring()") }
    }

    @Test func memberOfIsAnExplicitError() throws {
        let expression = try FHIRPathExpression("status.memberOf('http://hl7.org/fhir/ValueSet/x')")
        do {
            _ = try expression.evaluate(Self.observation)
            Issue.record("expected unsupported")
        } catch {
            #expect(error.kind == .unsupported)
        }
    }

    @Test func resultsRenderAsJSON() throws {
        let values = try Self.evaluate("status | value.value | (1 = 1) | effective")
        #expect(FHIRPathResultJSON.render(values) == #"["final",1.50,true,"2026-03-01T10:00:00Z"]"#)
    }
}
