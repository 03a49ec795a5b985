/// A DTMF key: 0–9, `*`, `#` and A–D.
///
/// The raw values are the RFC 4733 event codes (0–9, `*` = 10, `#` = 11, A–D = 12–15), so a
/// service maps between in-band digits and telephone-event packets with `rawValue` alone.
public enum DTMFDigit: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case d0 = 0, d1, d2, d3, d4, d5, d6, d7, d8, d9
    case star = 10
    case pound = 11
    case a = 12, b, c, d

    /// The ITU-T Q.23 low-group frequencies in hertz, by row.
    public static let lowGroupHertz: [Double] = [697, 770, 852, 941]
    /// The ITU-T Q.23 high-group frequencies in hertz, by column.
    public static let highGroupHertz: [Double] = [1209, 1336, 1477, 1633]

    /// Keypad layout: rows index the low group, columns the high group.
    static let keypad: [[DTMFDigit]] = [
        [.d1, .d2, .d3, .a],
        [.d4, .d5, .d6, .b],
        [.d7, .d8, .d9, .c],
        [.star, .d0, .pound, .d],
    ]

    /// Row (low-group index) and column (high-group index) on the keypad.
    public var position: (row: Int, column: Int) {
        switch self {
        case .d1: (0, 0)
        case .d2: (0, 1)
        case .d3: (0, 2)
        case .a: (0, 3)
        case .d4: (1, 0)
        case .d5: (1, 1)
        case .d6: (1, 2)
        case .b: (1, 3)
        case .d7: (2, 0)
        case .d8: (2, 1)
        case .d9: (2, 2)
        case .c: (2, 3)
        case .star: (3, 0)
        case .d0: (3, 1)
        case .pound: (3, 2)
        case .d: (3, 3)
        }
    }

    /// The digit at a keypad position, if the position is on the keypad.
    public init?(row: Int, column: Int) {
        guard (0..<4).contains(row), (0..<4).contains(column) else { return nil }
        self = DTMFDigit.keypad[row][column]
    }

    /// Low- and high-group frequencies in hertz.
    public var frequencies: (low: Double, high: Double) {
        let p = position
        return (DTMFDigit.lowGroupHertz[p.row], DTMFDigit.highGroupHertz[p.column])
    }

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

/// A DTMF digit seen by `DTMFDetector`. Sample positions count from the detector's start (or
/// last reset) at its sample rate.
public struct DTMFEvent: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// The digit was confirmed (after the minimum on-time).
        case began
        /// The digit stopped; `durationSamples` holds its measured length.
        case ended
    }

    public var kind: Kind
    public var digit: DTMFDigit
    /// Where the tone started, in samples since the detector started.
    public var startSample: Int
    /// For `.ended`: the tone's length in samples (block resolution). For `.began`: the on-time
    /// seen so far.
    public var durationSamples: Int
}
