import Testing

@testable import FHIRCore

/// Reads a document given as text; fails the test on a thrown outcome.
func readXML(_ text: String, limits: ReadLimits = .default) throws -> ParsedResource {
    try FHIRXML.read(Array(text.utf8), limits: limits)
}

@Suite struct XMLReaderTests {
    @Test func readsResourceElementsWithTheirLocations() throws {
        let parsed = try readXML(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <Patient xmlns="http://hl7.org/fhir">
              <id value="p1"/>
              <active value="true"/>
              <name><family value="Chalmers"/><given value="Peter"/><given value="James"/></name>
            </Patient>
            """
        )
        #expect(parsed.issues.issues.isEmpty)
        let root = parsed.root
        #expect(root.name == "Patient" && root.type == "Patient")
        #expect(root.location == SourceLocation(line: 2, column: 1))
        #expect(root.children.map(\.name) == ["id", "active", "name"])
        #expect(root.string("id") == "p1")
        #expect(root.child("id")?.type == "id")
        #expect(root.child("active")?.location == SourceLocation(line: 4, column: 3))
        let name = try #require(root.child("name"))
        #expect(name.children(named: "given").map(\.value) == ["Peter", "James"])
        #expect(name.child("family")?.location == SourceLocation(line: 5, column: 9))
    }

    @Test func primitiveIdAndExtensionAreKeptAsChildren() throws {
        let parsed = try readXML(
            """
            <Patient xmlns="http://hl7.org/fhir"><birthDate id="b1" value="1970-03-30">\
            <extension url="http://hl7.org/fhir/StructureDefinition/patient-birthTime">\
            <valueDateTime value="1970-03-30T14:35:45-05:00"/></extension></birthDate></Patient>
            """
        )
        let birthDate = try #require(parsed.root.child("birthDate"))
        #expect(birthDate.value == "1970-03-30")
        #expect(birthDate.children.map(\.name) == ["id", "extension"])
        #expect(birthDate.child("id") == Element(name: "id", type: "string", value: "b1"))
        let extensionNode = try #require(birthDate.child("extension"))
        #expect(extensionNode.children.map(\.name) == ["url", "value"])
        #expect(
            extensionNode.child("url")
                == Element(name: "url", type: "uri", value: "http://hl7.org/fhir/StructureDefinition/patient-birthTime")
        )
        #expect(extensionNode.child("value")?.type == "dateTime")
    }

    @Test func decimalKeepsItsLexicalForm() throws {
        let parsed = try readXML(
            #"<Observation xmlns="http://hl7.org/fhir"><status value="final"/><code><text value="x"/></code><valueQuantity><value value="1.50"/></valueQuantity></Observation>"#
        )
        let value = try #require(parsed.root.child("value"))
        #expect(value.type == "Quantity")
        #expect(value.child("value") == Element(name: "value", type: "decimal", value: "1.50"))
    }

    @Test func containedResourceIsWrappedInItsSlot() throws {
        let parsed = try readXML(
            #"<Patient xmlns="http://hl7.org/fhir"><contained><Organization><id value="o1"/><name value="ACME"/></Organization></contained><active value="true"/></Patient>"#
        )
        #expect(parsed.issues.issues.isEmpty)
        let contained = try #require(parsed.root.child("contained"))
        #expect(contained.type == "Organization")
        #expect(contained.children.map(\.name) == ["id", "name"])
        #expect(contained.resourceID == "o1")
    }

    @Test func unknownElementIsSkippedWithAnIssue() throws {
        let parsed = try readXML(
            "<Patient xmlns=\"http://hl7.org/fhir\">\n<foo><bar value=\"x\"/></foo><active value=\"true\"/></Patient>"
        )
        #expect(parsed.root.children.map(\.name) == ["active"])
        let issue = try #require(parsed.issues.issues.first)
        #expect(parsed.issues.issues.count == 1)
        #expect(issue.severity == .error && issue.code == .structure)
        #expect(issue.path == "Patient.foo")
        #expect(issue.location == SourceLocation(line: 2, column: 1))
    }

    @Test func outOfOrderElementIsReportedAndSortedIntoPlace() throws {
        let parsed = try readXML(
            #"<Patient xmlns="http://hl7.org/fhir"><name><given value="A"/><family value="B"/><given value="C"/></name><active value="true"/></Patient>"#
        )
        #expect(parsed.root.children.map(\.name) == ["active", "name"])
        #expect(parsed.root.child("name")?.children.map(\.name) == ["family", "given", "given"])
        #expect(parsed.root.child("name")?.children(named: "given").map(\.value) == ["A", "C"])
        let paths = parsed.issues.issues.map(\.path)
        #expect(paths == ["Patient.name[0].family", "Patient.active"])
        #expect(parsed.issues.issues.allSatisfy { $0.message.contains("out of order") })
    }

    @Test func unknownAttributeAndTextContentAreReported() throws {
        let parsed = try readXML(
            #"<Patient xmlns="http://hl7.org/fhir"><active value="true" colour="red"/>stray text<gender value="male"/></Patient>"#
        )
        #expect(parsed.root.children.map(\.name) == ["active", "gender"])
        #expect(parsed.issues.issues.count == 2)
        #expect(parsed.issues.issues[0].message.contains("colour"))
        #expect(parsed.issues.issues[0].path == "Patient.active")
        #expect(parsed.issues.issues[1].message.contains("text"))
    }

    @Test func idAttributeOnAResourceIsReported() throws {
        let parsed = try readXML(#"<Patient xmlns="http://hl7.org/fhir" id="x"><active value="true"/></Patient>"#)
        #expect(parsed.issues.issues.count == 1)
    }

    @Test func narrativeDivIsCapturedWithItsNamespaceAndEscaping() throws {
        let parsed = try readXML(
            """
            <Bundle xmlns="http://hl7.org/fhir"><type value="collection"/><entry><resource><Patient>\
            <text><status value="generated"/><h:div xmlns:h="http://www.w3.org/1999/xhtml" xml:lang="en">\
            <h:p class="a&quot;b">1 &lt; 2 &amp; <h:b>bold</h:b>\n  <h:br/></h:p></h:div></text></Patient></resource></entry></Bundle>
            """
        )
        #expect(parsed.issues.issues.isEmpty)
        let entry = try #require(parsed.root.child("entry")?.child("resource"))
        #expect(entry.type == "Patient")
        let div = try #require(entry.child("text")?.child("div"))
        #expect(div.type == "xhtml")
        #expect(
            div.value
                == #"<div xmlns="http://www.w3.org/1999/xhtml" xml:lang="en"><p class="a&quot;b">1 &lt; 2 &amp; <b>bold</b>"#
                + "\n  " + #"<br/></p></div>"#
        )
    }

    @Test func divOutsideTheXHTMLNamespaceIsReported() throws {
        let parsed = try readXML(
            #"<Patient xmlns="http://hl7.org/fhir"><text><status value="generated"/><div>hi</div></text></Patient>"#
        )
        #expect(parsed.issues.issues.count == 1)
        #expect(parsed.issues.issues[0].path == "Patient.text.div")
    }

    @Test func byteOrderMarkBeforeTheDeclarationIsAccepted() throws {
        let bytes: [UInt8] =
            [0xEF, 0xBB, 0xBF]
            + Array(
                #"<?xml version="1.0" encoding="UTF-8"?><Patient xmlns="http://hl7.org/fhir"><active value="true"/></Patient>"#
                    .utf8
            )
        let parsed = try FHIRXML.read(bytes)
        #expect(parsed.root.string("active") == "true")
    }

    @Test func commentsAndProcessingInstructionsAreIgnored() throws {
        let parsed = try readXML(
            #"<?xml version="1.0"?><!-- c --><Patient xmlns="http://hl7.org/fhir"><?pi x?><!-- c --><active value="true"/></Patient>"#
        )
        #expect(parsed.issues.issues.isEmpty)
        #expect(parsed.root.children.count == 1)
    }

    @Test func attributeValuesKeepAmpersandsAndEscapedWhitespace() throws {
        let parsed = try readXML(
            #"<Patient xmlns="http://hl7.org/fhir"><name><text value="a &amp; b&#10;c&#9;d &amp;#38;"/></name></Patient>"#
        )
        #expect(parsed.root.child("name")?.string("text") == "a & b\nc\td &#38;")
    }

    @Test func locationIsTheStartOfAMultiLineTagCountedInCharacters() throws {
        let parsed = try readXML(
            "<Patient xmlns=\"http://hl7.org/fhir\">\n  <name><text value=\"Zoë\"/><family\n     value=\"Ünal\"/></name></Patient>"
        )
        let name = try #require(parsed.root.child("name"))
        #expect(name.child("text")?.location == SourceLocation(line: 2, column: 9))
        #expect(name.child("family")?.location == SourceLocation(line: 2, column: 28))
    }

    @Test func resourceSlotHoldsOnlyOneResource() throws {
        let parsed = try readXML(
            #"<Patient xmlns="http://hl7.org/fhir"><contained><Organization/><Practitioner/></contained><contained/></Patient>"#
        )
        #expect(parsed.root.children(named: "contained").map(\.type) == ["Organization"])
        #expect(parsed.issues.issues.map(\.path) == ["Patient.contained[0]", "Patient.contained[1]"])
    }
}

@Suite struct XMLSchemaLocationTests {
    @Test func schemaLocationAttributeIsAcceptedAndNotKept() throws {
        let xml = """
            <Patient xmlns="http://hl7.org/fhir" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" \
            xsi:schemaLocation="http://hl7.org/fhir ../../schema/fhir-single.xsd"><id value="p1"/></Patient>
            """
        let parsed = try FHIRXML.read(Array(xml.utf8))
        #expect(parsed.issues.issues.isEmpty)
        #expect(parsed.root.children.map(\.name) == ["id"])
    }

    @Test func otherForeignAttributesAreStillReported() throws {
        let xml = #"<Patient xmlns="http://hl7.org/fhir" xmlns:x="urn:x" x:flag="1"><id value="p1"/></Patient>"#
        let parsed = try FHIRXML.read(Array(xml.utf8))
        #expect(parsed.issues.issues.contains { $0.message.contains("x:flag") })
    }
}
