import FHIRCore
import Testing

@Suite struct JSONValueTests {
    @Test func valuesKeepTheirLineAndColumn() throws {
        let value = try JSONValue.read(Array("{\n  \"a\": [1, true],\n  \"b\": \"x\"\n}".utf8))
        let a = try #require(value["a"])
        #expect(a.location.line == 2 && a.location.column == 8)
        let b = try #require(value["b"])
        #expect(b.location.line == 3 && b.stringValue == "x")
        #expect(a.arrayValue?[1].kind == .bool(true))
    }

    @Test func escapesAndSurrogatePairsDecode() throws {
        let value = try JSONValue.read(Array(#""a\"b\\c\u00e9\ud83d\ude00""#.utf8))
        #expect(value.stringValue == "a\"b\\cé😀")
    }

    @Test(arguments: [
        ("{\"a\": 1,}", 1, 9),
        ("{\n  \"a\" 1\n}", 2, 7),
        ("[01]", 1, 3),
        ("\"abc", 1, 5),
        ("{} x", 1, 4),
        ("[tru]", 1, 5),
    ])
    func malformedInputNamesThePosition(text: String, line: Int, column: Int) {
        #expect {
            _ = try JSONValue.read(Array(text.utf8))
        } throws: { error in
            guard let error = error as? JSONValue.SyntaxError else { return false }
            return error.location.line == line && error.location.column == column
        }
    }

    @Test func deepNestingIsRefused() {
        let text = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: JSONValue.SyntaxError.self) { try JSONValue.read(Array(text.utf8)) }
    }
}
