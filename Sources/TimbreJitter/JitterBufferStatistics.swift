/// Counters named as in W3C webrtc-stats `RTCInboundRtpStreamStats`, so they read the same as a
/// browser's `getStats()`. Delays are sums in seconds, as there: divide `jitterBufferDelay` and
/// `jitterBufferTargetDelay` by `jitterBufferEmittedCount` for the mean per sample.
public struct JitterBufferStatistics: Hashable, Sendable, Codable {
    /// Packets received, duplicates excluded (late ones included).
    public var packetsReceived = 0
    /// Packets expected from the sequence numbers but never received (RFC 3550 A.3).
    public var packetsLost = 0
    /// Packets received too late to play, or evicted when the buffer was full.
    public var packetsDiscarded = 0
    /// Packets received more than once (the copies).
    public var packetsDuplicated = 0
    /// Samples played out that were synthesised for missing audio.
    public var concealedSamples = 0
    /// Stretches of concealment, each preceded by real audio.
    public var concealmentEvents = 0
    /// Samples played out in total (real, concealed, comfort noise).
    public var totalSamplesReceived = 0
    /// Samples added by preemptive expand to grow the delay.
    public var insertedSamplesForDeceleration = 0
    /// Samples removed by accelerate to shrink the delay.
    public var removedSamplesForAcceleration = 0
    /// Sum over decoded samples played of their time in the buffer, in seconds.
    public var jitterBufferDelay = 0.0
    /// Decoded samples played (the count `jitterBufferDelay` sums over).
    public var jitterBufferEmittedCount = 0
    /// Sum over decoded samples played of the target delay at the time, in seconds.
    public var jitterBufferTargetDelay = 0.0
    /// Samples of comfort noise played in DTX gaps (not concealment).
    public var comfortNoiseSamples = 0
    /// Samples recovered from in-band FEC of the next packet (Opus) instead of concealment.
    public var fecRecoveredSamples = 0
    /// Stream restarts (SSRC change or timestamp jump).
    public var resynchronisations = 0

    public init() {}
}
