import FHIRCore
import Testing

@Suite struct JSONWriterTests {
    func text(_ element: Element, pretty: Bool = false) -> String {
        String(decoding: FHIRJSON.write(element, pretty: pretty), as: UTF8.self)
    }

    @Test func resourceTypeFirstThenDefinitionOrder() {
        let patient = Element(
            name: "Patient",
            type: "Patient",
            children: [
                Element(name: "gender", type: "code", value: "male"),
                Element(name: "active", type: "boolean", value: "true"),
                Element(name: "id", type: "id", value: "p1"),
            ]
        )
        #expect(self.text(patient) == #"{"resourceType":"Patient","id":"p1","active":true,"gender":"male"}"#)
    }

    @Test func repeatingElementsAreArraysEvenWithOneItem() {
        let patient = Element(
            name: "Patient",
            type: "Patient",
            children: [
                Element(name: "name", type: "HumanName", children: [Element(name: "given", type: "string", value: "A")])
            ]
        )
        #expect(self.text(patient) == #"{"resourceType":"Patient","name":[{"given":["A"]}]}"#)
    }

    @Test func attributesComeFirstAndChoicesGetTheirSuffix() {
        let extensionNode = Element(
            name: "extension",
            type: "Extension",
            children: [
                Element(
                    name: "value",
                    type: "Quantity",
                    children: [Element(name: "value", type: "decimal", value: "1.50")]
                ),
                Element(name: "url", type: "uri", value: "http://x"),
            ]
        )
        let patient = Element(name: "Patient", type: "Patient", children: [extensionNode])
        #expect(
            self.text(patient)
                == #"{"resourceType":"Patient","extension":[{"url":"http://x","valueQuantity":{"value":1.50}}]}"#
        )
    }

    @Test func invalidLexicalNumbersAndBooleansAreWrittenAsStrings() {
        let observation = Element(
            name: "Observation",
            type: "Observation",
            children: [
                Element(name: "status", type: "code", value: "final"),
                Element(name: "value", type: "integer", value: "12abc"),
            ]
        )
        let patient = Element(
            name: "Patient",
            type: "Patient",
            children: [Element(name: "active", type: "boolean", value: "yes")]
        )
        #expect(self.text(observation) == #"{"resourceType":"Observation","status":"final","valueInteger":"12abc"}"#)
        #expect(self.text(patient) == #"{"resourceType":"Patient","active":"yes"}"#)
    }

    @Test func stringsAreEscaped() throws {
        let family = "a\"b\\c/d\n\t\r\u{8}\u{c}\u{1}é😀"
        let patient = Element(
            name: "Patient",
            type: "Patient",
            children: [
                Element(
                    name: "name",
                    type: "HumanName",
                    children: [Element(name: "family", type: "string", value: family)]
                )
            ]
        )
        let written = self.text(patient)
        #expect(written.contains(#""family":"a\"b\\c/d\n\t\r\b\f\u0001é😀""#))
        #expect(try FHIRJSON.read(Array(written.utf8)).root == patient)
    }

    @Test func companionsArePaddedWithNulls() {
        let extensionNode = Element(
            name: "extension",
            type: "Extension",
            children: [Element(name: "url", type: "uri", value: "http://x")]
        )
        let name = Element(
            name: "name",
            type: "HumanName",
            children: [
                Element(name: "given", type: "string", value: "a"),
                Element(name: "given", type: "string", children: [extensionNode]),
                Element(
                    name: "given",
                    type: "string",
                    value: "c",
                    children: [Element(name: "id", type: "string", value: "g3")]
                ),
            ]
        )
        let patient = Element(name: "Patient", type: "Patient", children: [name])
        #expect(
            self.text(patient)
                == #"{"resourceType":"Patient","name":[{"given":["a",null,"c"],"_given":[null,{"extension":[{"url":"http://x"}]},{"id":"g3"}]}]}"#
        )
    }

    @Test func unknownChildrenAndTypesAreSkipped() {
        let patient = Element(
            name: "Patient",
            type: "Patient",
            children: [
                Element(name: "colour", type: "string", value: "blue"),
                Element(name: "active", type: "boolean", value: "true"),
                Element(name: "contained", type: "NotAResource"),
                Element(name: "deceased", type: "Quantity"),
            ]
        )
        #expect(self.text(patient) == #"{"resourceType":"Patient","active":true}"#)
    }

    @Test func prettyOutputIndentsTwoSpaces() {
        let patient = Element(
            name: "Patient",
            type: "Patient",
            children: [
                Element(name: "active", type: "boolean", value: "true"),
                Element(
                    name: "name",
                    type: "HumanName",
                    children: [Element(name: "given", type: "string", value: "A")]
                ),
            ]
        )
        let expected = """
            {
              "resourceType": "Patient",
              "active": true,
              "name": [
                {
                  "given": [
                    "A"
                  ]
                }
              ]
            }
            """
        #expect(self.text(patient, pretty: true) == expected)
    }

    @Test func writingIsByteStable() throws {
        let text =
            #"{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Patient","id":"x","_id":{"extension":[{"url":"u","valueBoolean":false}]},"birthDate":"2000"}}]}"#
        let first = FHIRJSON.write(try FHIRJSON.read(Array(text.utf8)).root)
        #expect(String(decoding: first, as: UTF8.self) == text)
        #expect(FHIRJSON.write(try FHIRJSON.read(first).root) == first)
    }
}
