import FHIRCore

/// One line about a refusal: the first error issue of the gateway's OperationOutcome (severity, code,
/// location, diagnostics) and how many more there were; or the start of a body that is not one.
enum OutcomeSummary {
    static func line(for body: [UInt8]) -> String {
        guard let root = try? FHIRCodec.read(body, as: .json).root, root.name == "OperationOutcome" else {
            let text = String(decoding: body.prefix(200), as: UTF8.self)
                .split(whereSeparator: \.isNewline).joined(separator: " ")
            return text.isEmpty ? "(no body)" : text
        }
        let issues = root.children(named: "issue")
        let blocking = issues.filter { ["error", "fatal"].contains($0.string("severity")) }
        guard let first = blocking.first ?? issues.first else { return "OperationOutcome without issues" }
        var parts = [first.string("severity") ?? "?", first.string("code") ?? "?"]
        let location =
            first.children(named: "expression").first?.value ?? first.children(named: "location").first?.value
        if let location { parts.append(location) }
        var line = parts.joined(separator: " ")
        let diagnostics = first.string("diagnostics") ?? first.child("details")?.string("text")
        if let diagnostics { line += ": " + diagnostics.split(whereSeparator: \.isNewline).joined(separator: " ") }
        let more = (blocking.isEmpty ? issues.count : blocking.count) - 1
        if more > 0 { line += " (and \(more) more \(more == 1 ? "issue" : "issues"))" }
        return line
    }

    /// One line per warning the answer carries, wherever an OperationOutcome sits in it (the answer
    /// itself, or a Bundle entry's `response.outcome`): severity, code, location and diagnostics.
    static func warnings(in body: [UInt8]) -> [String] {
        guard let root = try? FHIRCodec.read(body).root else { return [] }
        var lines: [String] = []
        func walk(_ element: Element) {
            if element.type == "OperationOutcome" {
                for issue in element.children(named: "issue") where issue.string("severity") == "warning" {
                    var line = "warning \(issue.string("code") ?? "?")"
                    if let location = issue.children(named: "expression").first?.value { line += " " + location }
                    if let text = issue.string("diagnostics") ?? issue.child("details")?.string("text") {
                        line += ": " + text
                    }
                    lines.append(line)
                }
            }
            for child in element.children { walk(child) }
        }
        walk(root)
        return lines
    }
}
