import TimbreCore

/// How a `JitterBuffer` chooses its delay.
public enum JitterBufferMode: Hashable, Sendable {
    /// Target follows the measured delay variation, kept within the bounds (milliseconds).
    case adaptive(minimumMilliseconds: Int, maximumMilliseconds: Int)
    /// Target held at this many milliseconds; time-scaling still corrects clock drift.
    case fixed(milliseconds: Int)

    public static let adaptiveDefault = JitterBufferMode.adaptive(minimumMilliseconds: 0, maximumMilliseconds: 1000)
}

/// Everything a `JitterBuffer` needs to know about its stream, fixed when it is created.
public struct JitterBufferConfiguration: Hashable, Sendable {
    /// The decoder's PCM output rate.
    public var sampleRate: SampleRate
    /// RTP timestamp ticks per second (8000 for G.722, 48000 for Opus).
    public var rtpClockRate: Int
    /// Audio per packet the sender uses (used until packets show otherwise).
    public var packetDuration: FrameDuration
    /// Audio the playout clock pulls per tick (10 or 20 ms).
    public var outputDuration: FrameDuration
    public var mode: JitterBufferMode
    /// Packets held at most; beyond that the oldest is evicted (bounded memory).
    public var capacityPackets: Int
    /// Largest payload accepted, in bytes; larger ones are rejected.
    public var maximumPayloadBytes: Int
    /// RFC 3389 comfort-noise payload type (13 for 8 kHz), or nil when not negotiated.
    public var comfortNoisePayloadType: UInt8?
    /// A jump of the transit time (arrival minus RTP time) beyond this, seen on two packets in a
    /// row, restarts the stream's timeline (sender restart, timestamp jump).
    public var resyncThresholdMilliseconds: Int

    public init(
        sampleRate: SampleRate, rtpClockRate: Int, packetDuration: FrameDuration = .ms20,
        outputDuration: FrameDuration = .ms20, mode: JitterBufferMode = .adaptiveDefault,
        capacityPackets: Int = 200, maximumPayloadBytes: Int = 1500, comfortNoisePayloadType: UInt8? = 13,
        resyncThresholdMilliseconds: Int = 3000
    ) {
        self.sampleRate = sampleRate
        self.rtpClockRate = rtpClockRate
        self.packetDuration = packetDuration
        self.outputDuration = outputDuration
        self.mode = mode
        self.capacityPackets = capacityPackets
        self.maximumPayloadBytes = maximumPayloadBytes
        self.comfortNoisePayloadType = comfortNoisePayloadType
        self.resyncThresholdMilliseconds = resyncThresholdMilliseconds
    }
}
