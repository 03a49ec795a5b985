import TimbreCore

/// What a codec is, as RTP and SDP name it.
///
/// Note the RTP clock rate is not always the sample rate: G.722 samples at 16 kHz but its RTP
/// clock runs at 8000 (RFC 3551 §4.5.2, a historical error kept for compatibility), and Opus
/// always uses 48000 whatever it decodes to (RFC 7587).
public struct CodecDescriptor: Hashable, Sendable {
    /// Stable lower-case identifier used by the CLI and config ("pcmu", "pcma", "g722", "opus").
    public var id: String
    /// SDP `rtpmap` encoding name ("PCMU", "PCMA", "G722", "opus").
    public var encodingName: String
    /// The PCM rate the codec consumes and produces.
    public var sampleRate: SampleRate
    /// RTP timestamp units per second.
    public var rtpClockRate: Int
    /// Audio channels as signalled in SDP (`opus/48000/2` signals 2 but may carry mono).
    public var rtpChannels: Int
    /// Static payload type (RFC 3551) or the default dynamic one we offer.
    public var payloadType: UInt8
    /// Whether `payloadType` is a static assignment (no rtpmap needed, but we send one anyway).
    public var isStaticPayloadType: Bool
    /// Default packetisation time.
    public var defaultFrameDuration: FrameDuration
    /// Default SDP `fmtp` parameters, or nil.
    public var defaultFormatParameters: String?

    public init(
        id: String, encodingName: String, sampleRate: SampleRate, rtpClockRate: Int,
        rtpChannels: Int = 1, payloadType: UInt8, isStaticPayloadType: Bool,
        defaultFrameDuration: FrameDuration = .ms20, defaultFormatParameters: String? = nil
    ) {
        self.id = id
        self.encodingName = encodingName
        self.sampleRate = sampleRate
        self.rtpClockRate = rtpClockRate
        self.rtpChannels = rtpChannels
        self.payloadType = payloadType
        self.isStaticPayloadType = isStaticPayloadType
        self.defaultFrameDuration = defaultFrameDuration
        self.defaultFormatParameters = defaultFormatParameters
    }

    /// The `a=rtpmap` value after the payload type, e.g. `G722/8000` or `opus/48000/2`.
    public var rtpmap: String {
        rtpChannels > 1
            ? "\(encodingName)/\(rtpClockRate)/\(rtpChannels)" : "\(encodingName)/\(rtpClockRate)"
    }

    /// PCM samples per channel in one frame of `duration`.
    public func samplesPerFrame(_ duration: FrameDuration) -> Int { duration.samples(at: sampleRate) }

    /// RTP timestamp ticks in one frame of `duration`.
    public func rtpTicksPerFrame(_ duration: FrameDuration) -> Int {
        rtpClockRate * duration.milliseconds / 1000
    }
}
