/// What to ask a device for, and afterwards what it granted. Interleaved signed 16-bit PCM.
public struct ALSAParameters: Sendable, Hashable, Codable {
    /// Frames per second.
    public var sampleRate: Int
    public var channels: Int
    /// Frames per period (the unit of each read/write and of the thread's wake-ups).
    public var periodFrames: Int
    /// Periods in the device buffer (latency = periods × period).
    public var periods: Int

    public init(sampleRate: Int = 48_000, channels: Int = 1, periodFrames: Int = 960, periods: Int = 4) {
        self.sampleRate = sampleRate
        self.channels = channels
        self.periodFrames = periodFrames
        self.periods = periods
    }

    /// Buffer size in frames.
    public var bufferFrames: Int { periodFrames * periods }

    /// Rejects values no device should be asked for.
    func validate() throws(ALSAError) {
        guard (8_000...192_000).contains(sampleRate) else { throw .invalidParameters("sample rate \(sampleRate) Hz") }
        guard (1...8).contains(channels) else { throw .invalidParameters("\(channels) channels") }
        guard (16...65_536).contains(periodFrames) else { throw .invalidParameters("period of \(periodFrames) frames") }
        guard (2...64).contains(periods) else { throw .invalidParameters("\(periods) periods") }
    }
}
