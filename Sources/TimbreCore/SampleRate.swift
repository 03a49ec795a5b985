/// An audio sample rate in hertz.
///
/// Telephony uses a handful of rates (8 kHz narrowband, 16 kHz wideband, 48 kHz fullband); devices
/// add 44.1 kHz. A struct rather than an enum so that a device's odd rate still fits, while the
/// common rates read as names.
public struct SampleRate: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Samples per second per channel.
    public let hertz: Int

    @inlinable
    public init(hertz: Int) {
        precondition(hertz > 0, "a sample rate is positive")
        self.hertz = hertz
    }

    /// Validating initialiser for rates read from outside input (files, SDP, config).
    @inlinable
    public init?(validating hertz: Int) {
        guard hertz > 0, hertz <= 768_000 else { return nil }
        self.hertz = hertz
    }

    public static let narrowband = SampleRate(hertz: 8_000)
    public static let wideband = SampleRate(hertz: 16_000)
    public static let superWideband = SampleRate(hertz: 24_000)
    public static let fullband = SampleRate(hertz: 48_000)
    public static let cd = SampleRate(hertz: 44_100)

    /// The rates a media frame may have (`AudioFrame` is defined for these).
    public static let telephonyRates: [SampleRate] = [.narrowband, .wideband, .fullband]

    public static func < (lhs: SampleRate, rhs: SampleRate) -> Bool { lhs.hertz < rhs.hertz }

    public var description: String { "\(hertz) Hz" }
}
