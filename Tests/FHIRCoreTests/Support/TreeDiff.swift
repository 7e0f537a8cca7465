import FHIRCore

/// Names the first difference between two element trees, for readable corpus failures.
enum TreeDiff {
    static func firstDifference(
        _ lhs: Element,
        _ rhs: Element,
        path: String? = nil,
        divEqual: (String, String) -> Bool
    ) -> String? {
        let here = path ?? lhs.name
        if lhs.name != rhs.name { return "\(here): name \(lhs.name) against \(rhs.name)" }
        if lhs.type != rhs.type { return "\(here): type \(lhs.type) against \(rhs.type)" }
        if lhs.value != rhs.value {
            if lhs.type == "xhtml", let left = lhs.value, let right = rhs.value, divEqual(left, right) {
                // equivalent markup
            } else {
                return
                    "\(here): value \(String(describing: lhs.value?.prefix(200))) against \(String(describing: rhs.value?.prefix(200)))"
            }
        }
        if lhs.children.count != rhs.children.count {
            let left = lhs.children.map(\.name).joined(separator: ",")
            let right = rhs.children.map(\.name).joined(separator: ",")
            return "\(here): children [\(left)] against [\(right)]"
        }
        for (index, pair) in zip(lhs.children, rhs.children).enumerated() {
            if let difference = self.firstDifference(
                pair.0,
                pair.1,
                path: "\(here).\(pair.0.name)#\(index)",
                divEqual: divEqual
            ) {
                return difference
            }
        }
        return nil
    }
}
