import Delivery

/// How `tandem sink --fail SCHEDULE` misbehaves: one step per request, in order.
///
/// Syntax: steps separated by commas, each optionally repeated with a trailing `xN`:
///
/// | step | the request gets |
/// | --- | --- |
/// | `ok` | accepted normally |
/// | `500`, `429`, … (200–599) | that status, and the delivery is not recorded |
/// | `503:5` | the status with `Retry-After: 5` (seconds) |
/// | `delay=3s`, `delay=250ms` | accepted normally after the wait (a client timeout shorter than it sees a timeout) |
/// | `drop` | the connection closed without an answer |
///
/// When the steps run out every later request is accepted, unless the last step is `repeat`, which starts
/// the schedule over. Example: `500x2,delay=3s,drop,400` answers 500 twice, then waits three seconds and
/// accepts, then drops the connection, then answers 400, then accepts everything.
public struct FailureSchedule: Sendable, Hashable, CustomStringConvertible {
    /// What one request gets.
    public enum Behaviour: Sendable, Hashable, CustomStringConvertible {
        case accept
        case status(Int, retryAfterSeconds: Int?)
        case delay(Duration)
        case drop

        public var description: String {
            switch self {
            case .accept: "ok"
            case .status(let status, let retryAfter): retryAfter.map { "\(status):\($0)" } ?? "\(status)"
            case .delay(let duration): "delay=\(Int(duration.inSeconds * 1000))ms"
            case .drop: "drop"
            }
        }
    }

    /// A schedule that cannot be read, with the step at fault.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public var step: String
        public var message: String
        public var description: String { "bad failure step '\(self.step)': \(self.message)" }
    }

    /// The steps, repetitions expanded.
    public private(set) var steps: [Behaviour]
    public private(set) var repeats: Bool
    private var position = 0

    /// A schedule that accepts everything.
    public init() {
        self.steps = []
        self.repeats = false
    }

    /// Parses the `--fail` syntax above.
    /// - Throws: ``ParseError`` naming the first step that cannot be read.
    public init(parsing text: String) throws(ParseError) {
        var steps: [Behaviour] = []
        var repeats = false
        let words = text.split(separator: ",").map { $0.trimmingWhitespace() }
        for (index, word) in words.enumerated() {
            if word == "repeat" {
                guard index == words.count - 1 else { throw ParseError(step: word, message: "'repeat' must come last") }
                repeats = true
                continue
            }
            let (body, count) = try Self.splitRepetition(word)
            steps += Array(repeating: try Self.behaviour(body, step: word), count: count)
        }
        if repeats, steps.isEmpty { throw ParseError(step: text, message: "nothing to repeat") }
        self.steps = steps
        self.repeats = repeats
    }

    /// The behaviour for the next request; consumes one step.
    public mutating func next() -> Behaviour {
        if self.position >= self.steps.count {
            guard self.repeats, !self.steps.isEmpty else { return .accept }
            self.position = 0
        }
        defer { self.position += 1 }
        return self.steps[self.position]
    }

    public var description: String {
        let text = self.steps.map(\.description).joined(separator: ",")
        return self.repeats ? text + ",repeat" : (text.isEmpty ? "ok" : text)
    }

    private static func splitRepetition(_ word: String) throws(ParseError) -> (String, Int) {
        guard let x = word.lastIndex(of: "x"), x != word.startIndex else { return (word, 1) }
        let digits = word[word.index(after: x)...]
        guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit) else { return (word, 1) }
        guard let count = Int(digits), (1...10_000).contains(count) else {
            throw ParseError(step: word, message: "repetition must be 1 to 10000")
        }
        return (String(word[..<x]), count)
    }

    private static func behaviour(_ body: String, step: String) throws(ParseError) -> Behaviour {
        switch body {
        case "ok": return .accept
        case "drop": return .drop
        default: break
        }
        if body.hasPrefix("delay=") {
            guard let duration = Self.duration(String(body.dropFirst("delay=".count))) else {
                throw ParseError(step: step, message: "a delay is a number with ms or s, as in delay=3s")
            }
            return .delay(duration)
        }
        let parts = body.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2, let status = Int(parts[0]), (200...599).contains(status) else {
            throw ParseError(step: step, message: "expected ok, drop, delay=DURATION or an HTTP status 200-599")
        }
        var retryAfter: Int?
        if parts.count == 2 {
            guard let seconds = Int(parts[1]), seconds >= 0 else {
                throw ParseError(step: step, message: "Retry-After is whole seconds, as in 503:5")
            }
            retryAfter = seconds
        }
        return .status(status, retryAfterSeconds: retryAfter)
    }

    private static func duration(_ text: String) -> Duration? {
        if text.hasSuffix("ms"), let value = Int(text.dropLast(2)), value >= 0 { return .milliseconds(value) }
        if text.hasSuffix("s"), let value = Double(text.dropLast()), value >= 0, value.isFinite {
            return .seconds(value)
        }
        return nil
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { self >= "0" && self <= "9" }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> String {
        String(self.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
