/// A minimal JSONOutput value for `--json` output: keys keep their order, numbers print without
/// locale, strings are escaped per RFC 8259.
enum JSONOutput {
    case object([(String, JSONOutput)])
    case array([JSONOutput])
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case null

    var text: String {
        switch self {
        case .object(let pairs): "{" + pairs.map { "\(JSONOutput.quote($0.0)): \($0.1.text)" }.joined(separator: ", ") + "}"
        case .array(let items): "[" + items.map(\.text).joined(separator: ", ") + "]"
        case .string(let s): JSONOutput.quote(s)
        case .int(let i): "\(i)"
        case .double(let d): d.isFinite ? "\(d)" : "null"
        case .bool(let b): b ? "true" : "false"
        case .null: "null"
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20:
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
