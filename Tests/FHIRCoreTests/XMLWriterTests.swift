import Testing

@testable import FHIRCore

@Suite struct XMLWriterTests {
    private func text(_ element: Element, pretty: Bool = false) -> String {
        String(decoding: FHIRXML.write(element, pretty: pretty), as: UTF8.self)
    }

    @Test func writesDeclarationNamespaceAttributesAndChoiceNames() {
        let observation = Element(
            name: "Observation",
            type: "Observation",
            children: [
                Element(name: "status", type: "code", value: "final"),
                Element(
                    name: "value",
                    type: "Quantity",
                    children: [Element(name: "value", type: "decimal", value: "1.50")]
                ),
            ]
        )
        #expect(
            self.text(observation)
                == #"<?xml version="1.0" encoding="UTF-8"?><Observation xmlns="http://hl7.org/fhir"><status value="final"/><valueQuantity><value value="1.50"/></valueQuantity></Observation>"#
        )
    }

    @Test func primitiveIdAndExtensionUrlBecomeAttributes() {
        let patient = Element(
            name: "Patient",
            type: "Patient",
            children: [
                Element(
                    name: "birthDate",
                    type: "date",
                    value: "1970-03-30",
                    children: [
                        Element(name: "id", type: "string", value: "b1"),
                        Element(
                            name: "extension",
                            type: "Extension",
                            children: [
                                Element(name: "url", type: "uri", value: "http://x"),
                                Element(name: "value", type: "boolean", value: "true"),
                            ]
                        ),
                    ]
                )
            ]
        )
        #expect(
            self.text(patient)
                == #"<?xml version="1.0" encoding="UTF-8"?><Patient xmlns="http://hl7.org/fhir"><birthDate id="b1" value="1970-03-30"><extension url="http://x"><valueBoolean value="true"/></extension></birthDate></Patient>"#
        )
    }

    @Test func attributeEscapingKeepsWhitespaceAndMarkup() throws {
        let value = "a & b < c \"d\"\n\te\r"
        let patient = Element(
            name: "Patient",
            type: "Patient",
            children: [
                Element(
                    name: "name",
                    type: "HumanName",
                    children: [Element(name: "text", type: "string", value: value)]
                )
            ]
        )
        let written = FHIRXML.write(patient)
        #expect(
            String(decoding: written, as: UTF8.self).contains(#"value="a &amp; b &lt; c &quot;d&quot;&#10;&#9;e&#13;""#)
        )
        #expect(try FHIRXML.read(written).root.child("name")?.string("text") == value)
    }

    @Test func builtTreeOutOfOrderIsWrittenInDefinitionOrderAndUnknownChildrenAreSkipped() {
        let patient = Element(
            name: "Patient",
            type: "Patient",
            children: [
                Element(name: "gender", type: "code", value: "male"),
                Element(name: "nonsense", type: "string", value: "x"),
                Element(name: "active", type: "boolean", value: "true"),
                Element(name: "deceased", type: "Quantity"),
            ]
        )
        #expect(
            self.text(patient)
                == #"<?xml version="1.0" encoding="UTF-8"?><Patient xmlns="http://hl7.org/fhir"><active value="true"/><gender value="male"/></Patient>"#
        )
        #expect(self.text(Element(name: "x", type: "NotAResource")) == #"<?xml version="1.0" encoding="UTF-8"?>"#)
    }

    @Test func containedResourceAndNarrativeAreWrappedAndEmbedded() throws {
        let div = #"<div xmlns="http://www.w3.org/1999/xhtml"><p>Hi &amp; <b>bye</b></p></div>"#
        let patient = Element(
            name: "Patient",
            type: "Patient",
            children: [
                Element(
                    name: "text",
                    type: "Narrative",
                    children: [
                        Element(name: "status", type: "code", value: "generated"),
                        Element(name: "div", type: "xhtml", value: div),
                    ]
                ),
                Element(
                    name: "contained",
                    type: "Organization",
                    children: [Element(name: "id", type: "id", value: "o1")]
                ),
            ]
        )
        let pretty = self.text(patient, pretty: true)
        #expect(
            pretty == """
                <?xml version="1.0" encoding="UTF-8"?>
                <Patient xmlns="http://hl7.org/fhir">
                  <text>
                    <status value="generated"/>
                    \(div)
                  </text>
                  <contained>
                    <Organization>
                      <id value="o1"/>
                    </Organization>
                  </contained>
                </Patient>

                """
        )
        let reread = try FHIRXML.read(Array(pretty.utf8))
        #expect(reread.root == patient)
        #expect(reread.root.child("text")?.child("div")?.value == div)
    }

    @Test func writeIsByteStableThroughARead() throws {
        let source = """
            <Patient xmlns="http://hl7.org/fhir"><text><status value="generated"/><div xmlns="http://www.w3.org/1999/xhtml">
              <p title="x&#10;y">line&#13;</p><br></br>
            </div></text><name><given value=" spaced  "/></name></Patient>
            """
        let first = try readXML(source).root
        for pretty in [false, true] {
            let written = FHIRXML.write(first, pretty: pretty)
            let again = try FHIRXML.read(written).root
            #expect(again == first)
            #expect(FHIRXML.write(again, pretty: pretty) == written)
        }
        #expect(first.child("text")?.child("div")?.value?.contains(#"<p title="x&#10;y">line&#13;</p><br/>"#) == true)
    }
}
