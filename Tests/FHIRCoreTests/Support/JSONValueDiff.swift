import Foundation

/// Compares two generic JSON values (from JSONSerialization) and names the first difference, so a corpus
/// failure says where the documents part. Numbers compare by value (decimals are re-spelled in the copy).
enum JSONValueDiff {
    /// Nil when equal; otherwise a path and a description of the first difference.
    static func firstDifference(
        _ lhs: Any,
        _ rhs: Any,
        path: String = "$",
        divEqual: (String, String) -> Bool
    ) -> String? {
        switch (lhs, rhs) {
        case (let left as [String: Any], let right as [String: Any]):
            let keys = Set(left.keys).union(right.keys).sorted()
            for key in keys {
                guard let l = left[key] else { return "\(path).\(key): missing on the left" }
                guard let r = right[key] else { return "\(path).\(key): missing on the right" }
                if let difference = self.firstDifference(l, r, path: "\(path).\(key)", divEqual: divEqual) {
                    return difference
                }
            }
            return nil
        case (let left as [Any], let right as [Any]):
            guard left.count == right.count else { return "\(path): \(left.count) items against \(right.count)" }
            for (index, pair) in zip(left, right).enumerated() {
                if let difference = self.firstDifference(pair.0, pair.1, path: "\(path)[\(index)]", divEqual: divEqual)
                {
                    return difference
                }
            }
            return nil
        case (let left as String, let right as String):
            if left == right { return nil }
            if path.hasSuffix(".div") && divEqual(left, right) { return nil }
            return "\(path): \"\(left.prefix(200))\" against \"\(right.prefix(200))\""
        case (let left as NSNumber, let right as NSNumber):
            // Parse the spelling as a Double: corelibs' NSDecimalNumber.doubleValue rounds differently from
            // the re-serialiser that produced the copy (66.899999999999991 became 66.89999999999999).
            let equal = Double(left.description).flatMap { l in Double(right.description).map { l == $0 } } ?? false
            return equal || left.doubleValue == right.doubleValue ? nil : "\(path): \(left) against \(right)"
        case (is NSNull, is NSNull):
            return nil
        default:
            return "\(path): \(type(of: lhs)) against \(type(of: rhs))"
        }
    }
}
