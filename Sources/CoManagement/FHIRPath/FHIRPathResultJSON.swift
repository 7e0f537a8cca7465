import FHIRCore

/// Renders evaluation results as a JSON array, for `tandem fhirpath 'EXPR' FILE`.
///
/// Primitive nodes and System values become JSON values (numbers, booleans, strings; dates, times and
/// quantities as their FHIRPath strings). Complex nodes and resources are written as FHIR JSON objects.
public enum FHIRPathResultJSON {
    public static func render(_ values: [FHIRPathValue]) -> String {
        "[" + values.map(self.render(value:)).joined(separator: ",") + "]"
    }

    private static func render(value: FHIRPathValue) -> String {
        switch value.systemValue {
        case .element(let ref):
            return String(decoding: FHIRJSON.write(ref.element), as: UTF8.self)
        case .boolean(let flag): return flag ? "true" : "false"
        case .integer(let integer): return String(integer)
        case .decimal(let decimal): return decimal.description
        case .string(let text): return quoted(text)
        case .date, .dateTime, .time, .quantity: return quoted(value.description)
        }
    }

    static func quoted(_ text: String) -> String {
        var output = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        return output + "\""
    }
}
