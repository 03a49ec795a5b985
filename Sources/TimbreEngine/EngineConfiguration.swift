import TimbreCore
import TimbreJitter

/// What the media engine needs from the service configuration.
public struct EngineConfiguration: Sendable {
    /// Address RTP sockets bind to.
    public var rtpHost: String = "127.0.0.1"
    public var portRange: ClosedRange<Int> = 30000...30999
    /// Media tick and packetisation time.
    public var ptime: FrameDuration = .ms20
    public var jitterMode: JitterBufferMode = .adaptive(minimumMilliseconds: 20, maximumMilliseconds: 400)
    /// Seconds without incoming media before an `rtpTimeout` event.
    public var rtpTimeoutSeconds: Int = 30
    /// Accept media only from the signalled address (no symmetric-RTP latching).
    public var strictSource: Bool = false
    /// Largest datagram accepted; larger ones are counted as malformed.
    public var maxPacketBytes: Int = 1500
    /// Media threads (0 = one per core).
    public var threads: Int = 0
    /// Bound on queued commands per thread and events per thread.
    public var commandCapacity: Int = 4096
    public var eventCapacity: Int = 8192
    /// Opus encoder defaults.
    public var opusBitrate: Int = 24000
    public var opusComplexity: Int = 5
    public var opusFEC: Bool = true

    public init() {}
}
