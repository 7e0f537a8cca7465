import FHIRCore
import Foundation
import Testing

/// ``SortedKeysJSONEncoder`` must write the bytes Foundation's `JSONEncoder` writes with sorted keys and
/// unescaped slashes: stored episode values written by either compare equal.
@Suite struct SortedKeysJSONEncoderTests {
    private struct Nested: Encodable {
        var zebra = [[1, 2], [], [3]]
        var apple = ["b": 1, "a10": 2, "a9": 3, "B": 4, "_x": 5, "a-b": 6]
        var middle = [CodingScalars(), CodingScalars(text: "", integer: 0, flag: false)]
        var empty: [String] = []
        var status = Status.active
    }

    private enum Status: String, Encodable { case active }

    /// Uses every container kind: nil members, nested containers filled after they were handed out, and
    /// a key encoded twice (the later value wins).
    private struct HandWritten: Encodable {
        enum Keys: String, CodingKey { case b, a, c, d }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encodeNil(forKey: .b)
            var list = container.nestedUnkeyedContainer(forKey: .d)
            var inner = container.nestedContainer(keyedBy: Keys.self, forKey: .c)
            try container.encode("first", forKey: .a)
            try list.encode(1)
            var object = list.nestedContainer(keyedBy: Keys.self)
            try list.encodeNil()
            try object.encode(true, forKey: .b)
            try inner.encode(2.5, forKey: .a)
            try container.encode("second", forKey: .a)
        }
    }

    private struct Silent: Encodable {
        func encode(to encoder: any Encoder) throws {}
    }

    private func foundation(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    private func sorted(_ value: some Encodable) throws -> String {
        String(decoding: try SortedKeysJSONEncoder().encode(value), as: UTF8.self)
    }

    @Test func writesFoundationsBytesForScalarsNestingAndKeyOrder() throws {
        #expect(try self.sorted(CodingScalars()) == self.foundation(CodingScalars()))
        #expect(try self.sorted(Nested()) == self.foundation(Nested()))
        #expect(try self.sorted([Silent(), Silent()]) == self.foundation([Silent(), Silent()]))
        #expect(try self.sorted("top") == self.foundation("top"))
        #expect(try self.sorted(HandWritten()) == #"{"a":"second","b":null,"c":{"a":2.5},"d":[1,{"b":true},null]}"#)
    }

    @Test func everyControlCharacterIsEscapedAsFoundationDoes() throws {
        let text = String(decoding: (0..<0x80).map { UInt8($0) }, as: UTF8.self)
        #expect(try self.sorted([text]) == self.foundation([text]))
    }

    @Test func nonFiniteFloatsAreRefusedUnlessGivenNames() throws {
        #expect(throws: EncodingError.self) { try SortedKeysJSONEncoder().encode([Double.infinity]) }
        let named = SortedKeysJSONEncoder(
            nonFiniteFloats: .init(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        )
        #expect(
            try named.encode([Double.infinity, -.infinity, .nan]) == Array(#"["Infinity","-Infinity","NaN"]"#.utf8)
        )
    }

    @Test func aRefusedFloatIsReportedAtItsCodingPath() throws {
        struct Inner: Encodable { var values: [Double] }
        struct Outer: Encodable { var inner: Inner }
        do {
            _ = try SortedKeysJSONEncoder().encode(Outer(inner: Inner(values: [1, .nan])))
            Issue.record("a NaN was encoded")
        } catch let EncodingError.invalidValue(_, context) {
            #expect(context.codingPath.map(\.stringValue) == ["inner", "values", "Index 1"])
        }
    }
}
