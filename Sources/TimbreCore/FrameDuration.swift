/// The length of one media frame. Telephony paths tick every 10 or 20 ms; Opus may also carry
/// 40 and 60 ms packets, which the decoder side accepts.
public enum FrameDuration: Int, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case ms10 = 10
    case ms20 = 20
    case ms40 = 40
    case ms60 = 60

    /// Duration in milliseconds.
    @inlinable public var milliseconds: Int { rawValue }

    /// Samples per channel in one frame at `rate`. 20 ms at 8 kHz is 160 samples.
    @inlinable
    public func samples(at rate: SampleRate) -> Int { rate.hertz * rawValue / 1000 }

    /// The frame duration for a millisecond count, if it is one we support.
    public init?(milliseconds: Int) { self.init(rawValue: milliseconds) }

    public var description: String { "\(rawValue) ms" }
}
