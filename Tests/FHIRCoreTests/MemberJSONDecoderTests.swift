import FHIRCore
import Foundation
import Testing

/// ``MemberJSONDecoder`` must decode what Foundation's `JSONDecoder` decodes for the values the store writes
/// with ``SortedKeysJSONEncoder``, and refuse anything that is not JSON.
@Suite struct MemberJSONDecoderTests {
    private struct Nested: Codable, Equatable {
        var zebra = [[1, 2], [], [3]]
        var apple = ["b": 1, "a10": 2, "a9": 3]
        var numbered = [7: "seven", -1: "minus one"]
        var middle = [CodingScalars(), CodingScalars(text: "", integer: 0, flag: false)]
        var empty: [String] = []
        var optionals: [Int?] = [1, nil, 3]
        var status = Status.active
    }

    private enum Status: String, Codable { case active, closed }

    /// Only some of a larger object's members, as the delivery service reads an episode's parties.
    private struct Part: Codable, Equatable {
        var status: Status
        var zebra: [[Int]]
    }

    private func foundation<T: Decodable>(_ type: T.Type, _ json: [UInt8]) throws -> T {
        try JSONDecoder().decode(type, from: Data(json))
    }

    @Test func decodesWhatTheEncoderWroteAsFoundationDoes() throws {
        let json = try SortedKeysJSONEncoder().encode(Nested())
        let decoded = try MemberJSONDecoder().decode(Nested.self, from: json)
        #expect(decoded == Nested())
        #expect(decoded == (try self.foundation(Nested.self, json)))
        #expect(
            try MemberJSONDecoder().decode(Part.self, from: json) == Part(status: .active, zebra: [[1, 2], [], [3]])
        )
    }

    @Test func readsJSONWrittenByHandWithWhitespaceEscapesAndExponents() throws {
        let json = Array(
            #"""
             { "status" : "closed" ,
               "zebra" : [ [ 1e0 , -2.0E+1 ] , [ ] ] , "other" : { "a" : [ true , null , "\u00e9\ud83d\ude00" ] } }
            """#.utf8
        )
        let expected = Part(status: .closed, zebra: [[1, -20], []])
        #expect(try MemberJSONDecoder().decode(Part.self, from: json) == expected)
        #expect(try self.foundation(Part.self, json) == expected)
        #expect(
            try MemberJSONDecoder().decode(
                [String: [String: [String?]]].self,
                from: Array(#"{"a":{"b":["\u00e9",null]}}"#.utf8)
            ) == ["a": ["b": ["é", nil]]]
        )
        #expect(try MemberJSONDecoder().decode(String.self, from: Array(#" "top" "#.utf8)) == "top")
        #expect(try MemberJSONDecoder().decode(Double.self, from: Array("1.5".utf8)) == 1.5)
        #expect(try MemberJSONDecoder().decode(Int?.self, from: Array("null".utf8)) == nil)
    }

    /// The errors Foundation gives, with the coding path.
    @Test func missingMembersAndWrongKindsAreDecodingErrorsWithTheirPath() throws {
        let decoder = MemberJSONDecoder()
        #expect {
            try decoder.decode(Part.self, from: Array(#"{"zebra":[]}"#.utf8))
        } throws: { error in
            guard case DecodingError.keyNotFound(let key, _) = error else { return false }
            return key.stringValue == "status"
        }
        #expect {
            try decoder.decode(Part.self, from: Array(#"{"status":"closed","zebra":[[1],["2"]]}"#.utf8))
        } throws: { error in
            guard case DecodingError.typeMismatch(_, let context) = error else { return false }
            return context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue } == ["zebra", "1", "0"]
        }
        #expect {
            try decoder.decode(Part.self, from: Array(#"{"status":null,"zebra":[]}"#.utf8))
        } throws: { error in
            guard case DecodingError.valueNotFound = error else { return false }
            return true
        }
        #expect {
            try decoder.decode(Part.self, from: Array(#"{"status":"open","zebra":[]}"#.utf8))
        } throws: { error in
            guard case DecodingError.dataCorrupted = error else { return false }
            return true
        }
        #expect(throws: DecodingError.self) { try decoder.decode(Int8.self, from: Array("300".utf8)) }
        #expect(throws: DecodingError.self) { try decoder.decode(Int.self, from: Array("1.5".utf8)) }
        #expect(try decoder.decode(Int.self, from: Array("1e2".utf8)) == 100)
        #expect(try decoder.decode(UInt64.self, from: Array("18446744073709551615".utf8)) == .max)
        // Through Double this rounds to 184467440737095520, a value the text does not hold.
        #expect(throws: DecodingError.self) {
            try decoder.decode(UInt64.self, from: Array("184467440737095516.5".utf8))
        }
        #expect(throws: DecodingError.self) { try decoder.decode([Int].self, from: Array("{}".utf8)) }
    }

    /// A document decodes only if all of it is RFC 8259 JSON, the members it does not read included.
    /// (Foundation's decoder accepts a trailing comma, duplicate keys, a leading zero and an unknown escape.)
    @Test(arguments: [
        #"{"status":"closed","zebra":[],"other":[1,]}"#,
        #"{"status":"closed","zebra":[],"other":{"a":1,"a":2}}"#,
        #"{"status":"closed","zebra":[],"status":"open"}"#,
        #"{"status":"closed","zebra":[]} x"#,
        #"{"status":"closed","zebra":[],"other":01}"#,
        #"{"status":"closed","zebra":[],"other":"\x"}"#,
        #"{"status":"closed","zebra":[],"other":NaN}"#,
        "",
        "   ",
    ])
    func invalidJSONIsRefusedWhereverItSits(_ text: String) {
        #expect(throws: DecodingError.self) { try MemberJSONDecoder().decode(Part.self, from: Array(text.utf8)) }
    }

    @Test func invalidUTF8IsRefused() {
        let json: [UInt8] = Array(#"{"status":"closed","zebra":[],"other":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
        #expect(throws: DecodingError.self) { try MemberJSONDecoder().decode(Part.self, from: json) }
    }

    /// Every prefix of a document is refused without a crash (the skipping of checked values stops at the
    /// end of the input whatever the bytes).
    @Test func everyTruncationIsRefused() throws {
        let json = try SortedKeysJSONEncoder().encode(Nested())
        for length in 0..<json.count {
            #expect(throws: DecodingError.self) {
                try MemberJSONDecoder().decode(Nested.self, from: Array(json[..<length]))
            }
        }
    }

    /// A large object (a dictionary of thousands of entries) is looked up by key, not searched: every key of
    /// it is decoded, and a missing one is still missing.
    @Test func aLargeObjectDecodesEveryMember() throws {
        let entries = Dictionary(uniqueKeysWithValues: (0..<5_000).map { ("key-\($0)", $0) })
        let json = try SortedKeysJSONEncoder().encode(entries)
        #expect(try MemberJSONDecoder().decode([String: Int].self, from: json) == entries)
        let large =
            Array(#"{"status":"closed","zebra":[]"#.utf8)
            + (0..<40).flatMap { Array(#","extra\#($0)":\#($0)"#.utf8) } + Array("}".utf8)
        #expect(try MemberJSONDecoder().decode(Part.self, from: large) == Part(status: .closed, zebra: []))
        #expect(throws: DecodingError.self) {
            try MemberJSONDecoder().decode(Part.self, from: Array(large.filter { $0 != UInt8(ascii: "z") }))
        }
    }

    /// Documents with bytes changed (a fixed pseudo-random sequence, so a failure repeats) decode or are
    /// refused with a DecodingError, never crash, and agree with Foundation whenever both decode.
    @Test func changedBytesAreDecodedOrRefusedNeverACrash() throws {
        let json = try SortedKeysJSONEncoder().encode(Nested())
        let replacements = Array(#"{}[]",:0-1e.tfn\ az"#.utf8) + [0x00, 0xC3, 0xFF]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        var decoded = 0
        for _ in 0..<3_000 {
            var changed = json
            for _ in 0...next(3) { changed[next(changed.count)] = replacements[next(replacements.count)] }
            do {
                let value = try MemberJSONDecoder().decode(Nested.self, from: changed)
                decoded += 1
                if let foundation = try? self.foundation(Nested.self, changed) { #expect(value == foundation) }
            } catch {
                #expect(error is DecodingError)
            }
        }
        #expect(decoded > 0)
    }

    @Test func nestingBeyondTheLimitIsRefused() {
        let deep = Array(String(repeating: "[", count: 600).utf8) + Array(String(repeating: "]", count: 600).utf8)
        #expect(throws: DecodingError.self) { try MemberJSONDecoder().decode([Int].self, from: deep) }
    }
}
