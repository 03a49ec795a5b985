/// The three report types; their IDs are independent name spaces (input 0x02 and output 0x02 of a
/// Jabra are different reports).
public enum HIDReportKind: Int, Sendable, CaseIterable, CustomStringConvertible {
    case input = 0
    case output = 1
    case feature = 2

    public var description: String {
        switch self {
        case .input: "input"
        case .output: "output"
        case .feature: "feature"
        }
    }
}
