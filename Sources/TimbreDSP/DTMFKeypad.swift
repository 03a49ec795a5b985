public import TimbreCore

/// The Q.23 keypad: which row (low-group tone) and column (high-group tone) each key sits on.
extension DTMFDigit {
    /// The ITU-T Q.23 low-group frequencies in hertz, by row.
    public static let lowGroupHertz: [Double] = [697, 770, 852, 941]
    /// The ITU-T Q.23 high-group frequencies in hertz, by column.
    public static let highGroupHertz: [Double] = [1209, 1336, 1477, 1633]

    /// Keypad layout: rows index the low group, columns the high group.
    static let keypad: [[DTMFDigit]] = [
        [.one, .two, .three, .a],
        [.four, .five, .six, .b],
        [.seven, .eight, .nine, .c],
        [.star, .zero, .pound, .d],
    ]

    /// Row (low-group index) and column (high-group index) on the keypad.
    public var position: (row: Int, column: Int) {
        switch self {
        case .one: (0, 0)
        case .two: (0, 1)
        case .three: (0, 2)
        case .a: (0, 3)
        case .four: (1, 0)
        case .five: (1, 1)
        case .six: (1, 2)
        case .b: (1, 3)
        case .seven: (2, 0)
        case .eight: (2, 1)
        case .nine: (2, 2)
        case .c: (2, 3)
        case .star: (3, 0)
        case .zero: (3, 1)
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
}
