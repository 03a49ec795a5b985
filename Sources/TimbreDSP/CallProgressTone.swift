/// Call-progress tones as cadence tables: which frequencies play, how loud, and the on/off
/// pattern, per country.
///
/// Sources: ITU-T E.180 and its Supplement 2 (the national tone list), ANSI T1.401 for the US
/// "precise tone plan", BT SIN 350 for the UK, ETSI/France Télécom practice for France and
/// YD/T 1970 practice for China.
public enum CallProgressTone: String, Sendable, Hashable, CaseIterable {
    case dial, ringback, busy, congestion, callWaiting = "call-waiting"
}

/// The countries whose tone plans `ToneCadence.table` knows.
public enum ToneRegion: String, Sendable, Hashable, CaseIterable {
    case us, uk, france, china
}

/// One tone: up to two summed frequencies at a level, played as a repeating on/off pattern.
public struct ToneCadence: Sendable, Hashable {
    /// Frequencies in hertz (one or two; a second of 0 means a single tone).
    public var frequencies: (Double, Double)
    /// Level per frequency in dBm0.
    public var levelDBm0: Double
    /// On/off durations in milliseconds, alternating, starting with on. Empty means continuous.
    public var pattern: [Int]

    public init(_ f1: Double, _ f2: Double = 0, levelDBm0: Double, pattern: [Int]) {
        frequencies = (f1, f2)
        self.levelDBm0 = levelDBm0
        self.pattern = pattern
    }

    /// Whether the tone never pauses.
    public var isContinuous: Bool { pattern.isEmpty }

    /// One full cycle of the pattern in milliseconds (0 for continuous tones).
    public var cycleMilliseconds: Int { pattern.reduce(0, +) }

    public static func == (l: ToneCadence, r: ToneCadence) -> Bool {
        l.frequencies == r.frequencies && l.levelDBm0 == r.levelDBm0 && l.pattern == r.pattern
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(frequencies.0)
        hasher.combine(frequencies.1)
        hasher.combine(levelDBm0)
        hasher.combine(pattern)
    }

    /// The cadence for `tone` in `region`.
    public static func table(_ region: ToneRegion, _ tone: CallProgressTone) -> ToneCadence {
        switch (region, tone) {
        // United States (ANSI T1.401 precise tone plan).
        case (.us, .dial): ToneCadence(350, 440, levelDBm0: -13, pattern: [])
        case (.us, .ringback): ToneCadence(440, 480, levelDBm0: -19, pattern: [2000, 4000])
        case (.us, .busy): ToneCadence(480, 620, levelDBm0: -24, pattern: [500, 500])
        case (.us, .congestion): ToneCadence(480, 620, levelDBm0: -24, pattern: [250, 250])
        case (.us, .callWaiting): ToneCadence(440, levelDBm0: -13, pattern: [300, 9700])
        // United Kingdom (BT SIN 350).
        case (.uk, .dial): ToneCadence(350, 440, levelDBm0: -16, pattern: [])
        case (.uk, .ringback): ToneCadence(400, 450, levelDBm0: -19, pattern: [400, 200, 400, 2000])
        case (.uk, .busy): ToneCadence(400, levelDBm0: -16, pattern: [375, 375])
        case (.uk, .congestion): ToneCadence(400, levelDBm0: -16, pattern: [400, 350, 225, 525])
        case (.uk, .callWaiting): ToneCadence(400, levelDBm0: -16, pattern: [100, 2500])
        // France.
        case (.france, .dial): ToneCadence(440, levelDBm0: -10, pattern: [])
        case (.france, .ringback): ToneCadence(440, levelDBm0: -10, pattern: [1500, 3500])
        case (.france, .busy): ToneCadence(440, levelDBm0: -10, pattern: [500, 500])
        case (.france, .congestion): ToneCadence(440, levelDBm0: -10, pattern: [250, 250])
        case (.france, .callWaiting): ToneCadence(440, levelDBm0: -10, pattern: [300, 10000])
        // China.
        case (.china, .dial): ToneCadence(450, levelDBm0: -10, pattern: [])
        case (.china, .ringback): ToneCadence(450, levelDBm0: -10, pattern: [1000, 4000])
        case (.china, .busy): ToneCadence(450, levelDBm0: -10, pattern: [350, 350])
        case (.china, .congestion): ToneCadence(450, levelDBm0: -10, pattern: [700, 700])
        case (.china, .callWaiting): ToneCadence(450, levelDBm0: -10, pattern: [400, 4000])
        }
    }
}
