/// The shape of a PCM stream: rate and interleaved channel count. Samples are 16-bit signed
/// linear unless a type says otherwise (float buffers are in [-1, 1]).
public struct AudioFormat: Hashable, Sendable, CustomStringConvertible {
    public var sampleRate: SampleRate
    public var channels: Int

    public init(sampleRate: SampleRate, channels: Int = 1) {
        precondition(channels > 0, "an audio format has at least one channel")
        self.sampleRate = sampleRate
        self.channels = channels
    }

    /// Narrowband mono, the G.711 format.
    public static let narrowbandMono = AudioFormat(sampleRate: .narrowband)
    /// Wideband mono, the G.722 and conference-bridge format.
    public static let widebandMono = AudioFormat(sampleRate: .wideband)
    /// Fullband mono, the Opus format.
    public static let fullbandMono = AudioFormat(sampleRate: .fullband)

    /// Interleaved samples in one frame of `duration`.
    public func samplesPerFrame(_ duration: FrameDuration) -> Int {
        duration.samples(at: sampleRate) * channels
    }

    public var description: String { "\(sampleRate.hertz) Hz, \(channels) ch" }
}
