import FHIRCore
import Testing

/// Reads `text` as FHIR JSON.
func readJSON(_ text: String, limits: ReadLimits = .default) throws(Outcome) -> ParsedResource {
    try FHIRJSON.read(Array(text.utf8), limits: limits)
}

@Suite struct JSONReaderTests {
    @Test func choiceKeysResolveToNameAndType() throws {
        let parsed = try readJSON(
            #"{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":1.50,"unit":"mg"}}"#
        )
        #expect(parsed.issues.issues.isEmpty)
        let value = try #require(parsed.root.child("value"))
        #expect(value.type == "Quantity")
        #expect(value.string("value") == "1.50")
        #expect(value.child("value")?.type == "decimal")
    }

    @Test func numbersKeepTheirSpelling() throws {
        for spelling in ["1.50", "1e3", "-0.0", "0", "12500.00", "1E-7"] {
            let parsed = try readJSON(
                #"{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":\#(spelling)}}"#
            )
            #expect(parsed.root.child("value")?.string("value") == spelling)
            let written = String(decoding: FHIRJSON.write(parsed.root), as: UTF8.self)
            #expect(written.contains(#""value":\#(spelling)"#))
        }
    }

    @Test func childrenEndUpInDefinitionOrder() throws {
        let parsed = try readJSON(
            #"{"gender":"male","name":[{"given":["A"],"family":"F"}],"resourceType":"Patient","active":true,"id":"p1"}"#
        )
        #expect(parsed.issues.issues.isEmpty, "\(parsed.issues)")
        #expect(parsed.root.children.map(\.name) == ["id", "active", "name", "gender"])
        #expect(parsed.root.child("name")?.children.map(\.name) == ["family", "given"])
        #expect(parsed.root.type == "Patient" && parsed.root.name == "Patient")
    }

    @Test func primitiveCompanionBecomesChildren() throws {
        let parsed = try readJSON(
            #"{"resourceType":"Patient","birthDate":"1970-03-30","_birthDate":{"id":"a","extension":[{"url":"http://x","valueDateTime":"1970-03-30T14:35:45-05:00"}]}}"#
        )
        #expect(parsed.issues.issues.isEmpty, "\(parsed.issues)")
        let birthDate = try #require(parsed.root.child("birthDate"))
        #expect(birthDate.value == "1970-03-30")
        #expect(birthDate.children.map(\.name) == ["id", "extension"])
        #expect(birthDate.children[0] == Element(name: "id", type: "string", value: "a"))
        #expect(birthDate.children[1].child("url")?.value == "http://x")
        #expect(birthDate.children[1].child("value")?.type == "dateTime")
    }

    @Test func companionOnlyPrimitiveHasNoValue() throws {
        let parsed = try readJSON(
            #"{"resourceType":"Patient","_gender":{"extension":[{"url":"http://x","valueCode":"u"}]}}"#
        )
        #expect(parsed.issues.issues.isEmpty, "\(parsed.issues)")
        let gender = try #require(parsed.root.child("gender"))
        #expect(gender.value == nil)
        #expect(gender.children.count == 1)
    }

    @Test func nullsAlignValuesWithCompanionsAndRoundTrip() throws {
        let text =
            #"{"resourceType":"Patient","name":[{"given":["a",null],"_given":[null,{"extension":[{"url":"http://x","valueString":"b"}]}]}]}"#
        let parsed = try readJSON(text)
        #expect(parsed.issues.issues.isEmpty, "\(parsed.issues)")
        let given = try #require(parsed.root.child("name")).children(named: "given")
        #expect(given.count == 2)
        #expect(given[0].value == "a" && given[0].children.isEmpty)
        #expect(given[1].value == nil && given[1].children.count == 1)
        #expect(String(decoding: FHIRJSON.write(parsed.root), as: UTF8.self) == text)
    }

    @Test func nullInBothValueAndCompanionIsAnError() throws {
        let parsed = try readJSON(#"{"resourceType":"Patient","name":[{"given":["a",null],"_given":[null,null]}]}"#)
        let issue = try #require(parsed.issues.errors.first)
        #expect(issue.path == "Patient.name[0].given[1]")
        #expect(issue.location.isKnown)
    }

    @Test func wrongKindInAPrimitiveArrayIsReportedOnce() throws {
        let parsed = try readJSON(#"{"resourceType":"Patient","name":[{"given":["a",{"x":1},"c"]}]}"#)
        #expect(parsed.issues.errors.map(\.path) == ["Patient.name[0].given[1]"], "\(parsed.issues)")
        #expect(parsed.root.child("name")?.children(named: "given").map(\.value) == ["a", "c"])
    }

    @Test func misalignedCompanionArrayIsAnError() throws {
        let parsed = try readJSON(#"{"resourceType":"Patient","name":[{"given":["a","b"],"_given":[null]}]}"#)
        #expect(parsed.issues.errors.contains { $0.message.contains("align") })
    }

    @Test func unknownKeyIsReportedAndSkipped() throws {
        let parsed = try readJSON("{\"resourceType\":\"Patient\",\n  \"colour\":{\"deep\":[1,2]},\"active\":true}")
        let issue = try #require(parsed.issues.errors.first)
        #expect(issue.path == "Patient.colour")
        #expect(issue.location == SourceLocation(line: 2, column: 3))
        #expect(parsed.root.children.map(\.name) == ["active"])
    }

    @Test func wrongJSONKindsAreErrors() throws {
        let cases: [(String, String)] = [
            (#""active":"true""#, "Patient.active"),
            (#""name":{"family":"F"}"#, "Patient.name"),
            (#""gender":["male"]"#, "Patient.gender"),
            (#""birthDate":19700101"#, "Patient.birthDate"),
            (#""maritalStatus":"M""#, "Patient.maritalStatus"),
            (#""active":null"#, "Patient.active"),
            (#""name":[]"#, "Patient.name"),
            (#""maritalStatus":{}"#, "Patient.maritalStatus"),
            (#""contact":[{"resourceType":"Patient"}]"#, "Patient.contact[0].resourceType"),
        ]
        for (member, path) in cases {
            let parsed = try readJSON(#"{"resourceType":"Patient",\#(member)}"#)
            #expect(parsed.issues.errors.map(\.path) == [path], "\(member): \(parsed.issues)")
            #expect(parsed.issues.errors.allSatisfy { $0.location.isKnown })
        }
    }

    @Test func numberBeyondDoubleIsAValueError() throws {
        let parsed = try readJSON(
            #"{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":1e400}}"#
        )
        let issue = try #require(parsed.issues.errors.first)
        #expect(issue.code == .value)
        #expect(issue.path == "Observation.value.value")
        for number in ["-1e400", String(repeating: "9", count: 400)] {
            let more = try readJSON(
                #"{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueInteger":\#(number)}"#
            )
            #expect(more.issues.errors.map(\.code) == [.value], "\(number)")
        }
    }

    @Test func nestedResourcesGetTheirResourceType() throws {
        let parsed = try readJSON(
            #"{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"id":"1","resourceType":"Patient","contained":[{"resourceType":"Organization","name":"O"}]}}]}"#
        )
        #expect(parsed.issues.issues.isEmpty, "\(parsed.issues)")
        let resource = try #require(parsed.root.child("entry")?.child("resource"))
        #expect(resource.name == "resource" && resource.type == "Patient")
        #expect(resource.children.map(\.name) == ["id", "contained"])
        #expect(resource.child("contained")?.type == "Organization")
    }

    @Test func narrativeDivKeepsItsMarkup() throws {
        let parsed = try readJSON(
            #"{"resourceType":"Patient","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>a &amp; b</p></div>"}}"#
        )
        let div = try #require(parsed.root.child("text")?.child("div"))
        #expect(div.type == "xhtml")
        #expect(div.value == #"<div xmlns="http://www.w3.org/1999/xhtml"><p>a &amp; b</p></div>"#)
    }

    @Test func escapesAndNonASCIIAreDecoded() throws {
        let parsed = try readJSON(
            #"{"resourceType":"Patient","name":[{"family":"M\u00fcller \ud83d\ude00 \"q\"\n/\/","given":["Zoë"]}]}"#
        )
        let name = try #require(parsed.root.child("name"))
        #expect(name.string("family") == "Müller 😀 \"q\"\n//")
        #expect(name.string("given") == "Zoë")
    }

    @Test func everyNodeHasALocation() throws {
        let parsed = try readJSON("{\"resourceType\":\"Patient\",\n\"name\":[\n  {\"given\":[\"a\",\n   \"b\"]}]}")
        let given = try #require(parsed.root.child("name")).children(named: "given")
        #expect(parsed.root.child("name")?.location == SourceLocation(line: 3, column: 3))
        #expect(given.map(\.location) == [SourceLocation(line: 3, column: 13), SourceLocation(line: 4, column: 4)])
    }

    @Test func attributesHaveNoCompanion() throws {
        let parsed = try readJSON(
            #"{"resourceType":"Patient","extension":[{"url":"http://x","_url":{"id":"u"},"valueBoolean":true}],"#
                + #""name":[{"id":"n1","_id":{"id":"i"}}]}"#
        )
        #expect(parsed.issues.errors.map(\.path) == ["Patient.extension[0]._url", "Patient.name[0]._id"])
        #expect(parsed.root.child("extension")?.string("url") == "http://x")
        #expect(parsed.root.child("name")?.children == [Element(name: "id", type: "string", value: "n1")])
    }

    @Test func resourcePositionsAcceptAnyResourceWithResourceTypeAnywhere() throws {
        let parsed = try readJSON(
            #"{"resourceType":"Bundle","type":"batch-response","entry":[{"response":{"status":"400","#
                + #""outcome":{"issue":[{"severity":"error","code":"invalid"}],"resourceType":"OperationOutcome"}}}]}"#
        )
        #expect(parsed.issues.issues.isEmpty, "\(parsed.issues)")
        let outcome = try #require(parsed.root.child("entry")?.child("response")?.child("outcome"))
        #expect(outcome.name == "outcome" && outcome.type == "OperationOutcome")

        let parameters = try readJSON(
            #"{"resourceType":"Parameters","parameter":[{"name":"p","resource":{"resourceType":"Patient","active":false}},"#
                + #"{"name":"q","part":[{"name":"r","valueInteger":-3}]}]}"#
        )
        #expect(parameters.issues.issues.isEmpty, "\(parameters.issues)")
        let resource = try #require(parameters.root.child("parameter")?.child("resource"))
        #expect(resource.type == "Patient" && resource.string("active") == "false")
        #expect(parameters.root.children(named: "parameter")[1].child("part")?.child("value")?.type == "integer")
    }

    @Test func unknownNestedResourceTypeIsAnErrorNotFatal() throws {
        let parsed = try readJSON(
            #"{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Nope","x":[1]}},"#
                + #"{"resource":{"id":"1"}}]}"#
        )
        #expect(parsed.issues.errors.map(\.path) == ["Bundle.entry[0].resource", "Bundle.entry[1].resource"])
        #expect(parsed.root.children(named: "entry").allSatisfy { $0.child("resource") == nil })
    }

    @Test func keysWithEscapesResolveLikePlainKeys() throws {
        let parsed = try readJSON(#"{"resourceType":"Patient","\u0061ctive":true}"#)
        #expect(parsed.issues.issues.isEmpty)
        #expect(parsed.root.string("active") == "true")
    }
}
