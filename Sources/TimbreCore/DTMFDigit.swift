/// A DTMF key: 0–9, `*`, `#` and A–D.
///
/// One type for the whole stack: the in-band detector and generator (TimbreDSP) and the RFC 4733
/// telephone-event packets (TimbreRTP) speak about the same sixteen keys, so the raw values are
/// the RFC 4733 event codes (0–9, `*` = 10, `#` = 11, A–D = 12–15) and a service maps between
/// in-band digits and telephone events with `rawValue` alone. Flash (event 16) is a telephone
/// event but not a key, so it is not a case here.
public enum DTMFDigit: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case zero = 0, one, two, three, four, five, six, seven, eight, nine
    case star = 10
    case pound = 11
    case a = 12, b, c, d

    /// The key's character: "0"…"9", "*", "#", "A"…"D".
    public var character: Character {
        switch self {
        case .star: "*"
        case .pound: "#"
        case .a: "A"
        case .b: "B"
        case .c: "C"
        case .d: "D"
        default: Character(Unicode.Scalar(UInt8(ascii: "0") + rawValue))
        }
    }

    /// Parses "0"…"9", "*", "#", "A"…"D" (either case).
    public init?(_ character: Character) {
        switch character {
        case "*": self = .star
        case "#": self = .pound
        case "A", "a": self = .a
        case "B", "b": self = .b
        case "C", "c": self = .c
        case "D", "d": self = .d
        default:
            guard let v = character.asciiValue, v >= UInt8(ascii: "0"), v <= UInt8(ascii: "9") else { return nil }
            self.init(rawValue: v - UInt8(ascii: "0"))
        }
    }

    public var description: String { String(character) }
}
