import FHIRCore
import Testing

/// Input that cannot be read at all: each must give one clear fatal issue with a position, and no crash.
@Suite struct JSONHostileInputTests {
    /// The single fatal issue `bytes` is rejected with.
    func fatalIssue(_ bytes: [UInt8], limits: ReadLimits = .default) throws -> FHIRCore.Issue {
        let outcome: Outcome
        do throws(Outcome) {
            let parsed = try FHIRJSON.read(bytes, limits: limits)
            outcome = Outcome()
            Testing.Issue.record("read succeeded: \(parsed.issues)")
        } catch {
            outcome = error
        }
        #expect(outcome.issues.count == 1)
        let issue = try #require(outcome.issues.first)
        #expect(issue.severity == .fatal)
        return issue
    }

    func fatalIssue(_ text: String, limits: ReadLimits = .default) throws -> FHIRCore.Issue {
        try self.fatalIssue(Array(text.utf8), limits: limits)
    }

    @Test(
        arguments: [
            ([0xC3, 0x28], "invalid UTF-8"),  // lead byte without continuation
            ([0xC0, 0xAF], "invalid UTF-8"),  // overlong "/"
            ([0xE0, 0x80, 0xAF], "overlong"),  // overlong 3-byte
            ([0xED, 0xA0, 0x80], "surrogate"),  // UTF-8-encoded surrogate
            ([0xF4, 0x90, 0x80, 0x80], "invalid UTF-8"),  // beyond U+10FFFF
            ([0xFF], "invalid UTF-8"),
        ] as [([UInt8], String)]
    )
    func invalidUTF8IsFatal(sequence: [UInt8], message: String) throws {
        let bytes = Array(#"{"resourceType":"Patient","name":[{"family":""#.utf8) + sequence + Array(#""}]}"#.utf8)
        let issue = try self.fatalIssue(bytes)
        #expect(issue.code == .invalid)
        #expect(issue.message.contains(message), "\(issue.message)")
        #expect(issue.location == SourceLocation(line: 1, column: 46))
    }

    @Test func loneSurrogateEscapesAreFatal() throws {
        for escape in [#"\ud83d"#, #"\ude00"#, #"\ud83dx"#, #"\ud83d\u0041"#] {
            let issue = try self.fatalIssue(#"{"resourceType":"Patient","name":[{"family":"\#(escape)"}]}"#)
            #expect(issue.message.contains("surrogate"), "\(escape): \(issue.message)")
        }
    }

    @Test func byteOrderMarkIsFatal() throws {
        let issue = try self.fatalIssue([0xEF, 0xBB, 0xBF] + Array(#"{"resourceType":"Patient"}"#.utf8))
        #expect(issue.message.contains("byte order mark is not allowed in FHIR JSON"))
        #expect(issue.location.isKnown)
    }

    @Test func truncatedDocumentIsFatal() throws {
        let full = #"{"resourceType":"Patient","name":[{"family":"F","given":["a"]}],"active":true}"#
        for length in 1..<full.utf8.count {
            let issue = try self.fatalIssue(Array(full.utf8.prefix(length)))
            #expect(issue.location.isKnown)
            #expect(issue.code == .structure || issue.code == .invalid, "\(length): \(issue)")
        }
        #expect(try self.fatalIssue(Array(full.utf8.prefix(40))).message.contains("truncated"))
    }

    @Test func syntaxErrorsAreFatalWithPositions() throws {
        let cases = [
            #"{"resourceType":"Patient",}"#, #"{"resourceType":"Patient" "active":true}"#,
            #"{"resourceType":"Patient","active":tru}"#, #"{"resourceType":"Patient","active":true}x"#,
            #"{"resourceType":"Patient","name":[{"family":"a\qb"}]}"#, "{\"resourceType\":\"Pat\tient\"}",
            #"{'resourceType':'Patient'}"#, "",
        ]
        for text in cases {
            let issue = try self.fatalIssue(text)
            #expect(issue.location.isKnown || text.isEmpty, "\(text): \(issue)")
        }
    }

    @Test func duplicateKeyIsFatal() throws {
        let issue = try self.fatalIssue("{\"resourceType\":\"Patient\",\n\"active\":true,\n\"active\":false}")
        #expect(issue.message.contains("duplicate key \"active\""))
        #expect(issue.location == SourceLocation(line: 3, column: 1))
        let nested = try self.fatalIssue(#"{"resourceType":"Patient","unknown":{"a":1,"a":2}}"#)
        #expect(nested.message.contains("duplicate"))
    }

    @Test func nonJSONNumbersAreFatal() throws {
        let prefix = #"{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":"#
        for number in ["NaN", "Infinity", "-Infinity", "01", "-01", "1.", ".5", "+1", "1e", "0x10"] {
            let issue = try self.fatalIssue(prefix + number + "}}")
            #expect(
                issue.location == SourceLocation(line: 1, column: prefix.utf8.count + 1) || number.count > 1,
                "\(number)"
            )
            #expect(issue.location.isKnown)
        }
        #expect(try self.fatalIssue(prefix + "NaN}}").message.contains("NaN"))
        #expect(try self.fatalIssue(prefix + "01}}").message.contains("leading zeros"))
        #expect(try self.fatalIssue(prefix + "-Infinity}}").message.contains("Infinity"))
        #expect(try self.fatalIssue(#"{"resourceType":"Patient",Nope:1}"#).message.contains("expected a key"))
    }

    @Test func deepNestingIsTooCostlyWithoutOverflowingTheStack() throws {
        let deep = String(repeating: "[", count: 10_000)
        let issue = try self.fatalIssue(#"{"resourceType":"Patient","unknown":"# + deep)
        #expect(issue.code == .tooCostly)
        let deepObjects = String(repeating: #"{"extension":["#, count: 5_000)
        #expect(try self.fatalIssue(#"{"resourceType":"Patient","extension":["# + deepObjects).code == .tooCostly)
        #expect(try self.fatalIssue(deep).code == .structure)
    }

    @Test func oversizedBodyIsTooCostlyBeforeParsing() throws {
        let body = [UInt8](repeating: UInt8(ascii: " "), count: 100 << 20)
        let clock = ContinuousClock()
        let start = clock.now
        let issue = try self.fatalIssue(body)
        #expect(issue.code == .tooCostly)
        #expect(clock.now - start < .milliseconds(100))
    }

    @Test func tooManyElementsIsTooCostly() throws {
        let items = Array(repeating: #""x""#, count: 100).joined(separator: ",")
        let issue = try self.fatalIssue(
            #"{"resourceType":"Patient","name":[{"given":[\#(items)]}]}"#,
            limits: ReadLimits(maxElements: 50)
        )
        #expect(issue.code == .tooCostly)
    }

    @Test func rootMustBeAKnownResource() throws {
        #expect(try self.fatalIssue(#"{"resourceType":"Nope"}"#).message.contains("unknown resourceType \"Nope\""))
        #expect(try self.fatalIssue(#"{"resourceType":"Nope"}"#).location == SourceLocation(line: 1, column: 17))
        #expect(try self.fatalIssue(#"{"resourceType":"DomainResource"}"#).code == .invalid)
        #expect(try self.fatalIssue(#"{"active":true}"#).message.contains("no resourceType"))
        #expect(try self.fatalIssue(#"["Patient"]"#).message.contains("must be a JSON object"))
        #expect(try self.fatalIssue(#"{"resourceType":7}"#).code == .invalid)
    }

    /// Mutated copies of a real resource must each be read or rejected, never crash; whatever is read
    /// must write out as JSON that reads again.
    @Test func mutatedInputNeverCrashes() throws {
        let original = Array(
            (#"{"resourceType":"Patient","id":"p","_id":{"id":"i"},"name":[{"given":["a",null],"#
                + #""_given":[null,{"extension":[{"url":"u","valueDecimal":1.50}]}]}],"active":true,"#
                + #""contained":[{"resourceType":"Organization","name":"\u00e9O"}],"birthDate":"1970"}"#).utf8
        )
        #expect(try FHIRJSON.read(original).issues.issues.isEmpty)
        var generator = SplitMix64(seed: 42)
        let alphabet = Array(#"{}[]":,\ 0-1e.nulltruefalse_x"#.utf8) + [0xC3, 0xA9, 0xFF, 0x0A]
        for _ in 0..<3_000 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes[index] = alphabet.randomElement(using: &generator)!
                case 1: bytes.remove(at: index)
                default: bytes.insert(alphabet.randomElement(using: &generator)!, at: index)
                }
            }
            do throws(Outcome) {
                let parsed = try FHIRJSON.read(bytes)
                let written = FHIRJSON.write(parsed.root)
                #expect(try FHIRJSON.read(written).root == parsed.root)
            } catch {
                #expect(error.issues.count == 1 && error.issues[0].severity == .fatal)
            }
        }
    }
}

/// A small seeded generator, so the mutation test is the same on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { self.state = seed }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
