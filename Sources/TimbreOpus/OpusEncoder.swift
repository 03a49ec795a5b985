internal import COpus
public import TimbreCodecs
public import TimbreCore

/// An Opus encoder over libopus (`opus_encoder_create` / `opus_encode`), owned by one stream.
///
/// Frames are 16-bit PCM at `configuration.sampleRate` (8, 12, 16, 24 or 48 kHz), interleaved
/// when stereo. `encode` allocates nothing: the libopus state is created once in `init`, and
/// libopus itself does not allocate in `opus_encode`. Call from one thread at a time.
///
/// RFC 7587: whatever the input rate, RTP timestamps of an Opus stream run at 48 kHz
/// (`descriptor.rtpClockRate`).
public final class OpusEncoder: AudioEncoder {
    /// How the encoder is set up. Every field maps to one libopus ctl, named in its comment.
    public struct Configuration: Hashable, Sendable {
        /// Input rate: 8, 12, 16, 24 or 48 kHz.
        public var sampleRate: SampleRate
        /// 1 or 2 (interleaved).
        public var channels: Int
        public var application: OpusApplication
        public var frameDuration: FrameDuration
        /// Target bits per second, 6000...510000, or nil for libopus's automatic choice
        /// (`OPUS_SET_BITRATE`).
        public var bitrate: Int?
        /// 0 (fastest) ... 10 (best) (`OPUS_SET_COMPLEXITY`).
        public var complexity: Int
        /// Variable bitrate (`OPUS_SET_VBR`); false means CBR, every packet the same size.
        public var variableBitrate: Bool
        /// With VBR, keep the bitrate within one frame's worth of the target
        /// (`OPUS_SET_VBR_CONSTRAINT`).
        public var constrainedVBR: Bool
        /// Discontinuous transmission: silence costs one tiny packet every 400 ms
        /// (`OPUS_SET_DTX`). `encode` returns 0 for frames that need not be sent.
        public var discontinuousTransmission: Bool
        /// In-band FEC: each SILK packet also carries a low-bitrate copy of the previous frame
        /// (`OPUS_SET_INBAND_FEC`). Only effective with `expectedPacketLossPercent > 0`.
        public var inbandFEC: Bool
        /// 0...100 (`OPUS_SET_PACKET_LOSS_PERC`).
        public var expectedPacketLossPercent: Int
        /// Force one bandwidth (`OPUS_SET_BANDWIDTH`), or nil for automatic.
        public var bandwidth: OpusBandwidth?
        /// Cap the automatic bandwidth (`OPUS_SET_MAX_BANDWIDTH`), e.g. from the far end's
        /// `maxplaybackrate`; nil for no cap.
        public var maximumBandwidth: OpusBandwidth?

        public init(
            sampleRate: SampleRate = .fullband, channels: Int = 1, application: OpusApplication = .voip,
            frameDuration: FrameDuration = .ms20, bitrate: Int? = nil, complexity: Int = 9,
            variableBitrate: Bool = true, constrainedVBR: Bool = true,
            discontinuousTransmission: Bool = false, inbandFEC: Bool = false,
            expectedPacketLossPercent: Int = 0, bandwidth: OpusBandwidth? = nil,
            maximumBandwidth: OpusBandwidth? = nil
        ) {
            self.sampleRate = sampleRate
            self.channels = channels
            self.application = application
            self.frameDuration = frameDuration
            self.bitrate = bitrate
            self.complexity = complexity
            self.variableBitrate = variableBitrate
            self.constrainedVBR = constrainedVBR
            self.discontinuousTransmission = discontinuousTransmission
            self.inbandFEC = inbandFEC
            self.expectedPacketLossPercent = expectedPacketLossPercent
            self.bandwidth = bandwidth
            self.maximumBandwidth = maximumBandwidth
        }

        /// From the codec-neutral options a stream passes to the registry.
        public init(_ options: EncoderOptions, sampleRate: SampleRate = .fullband, channels: Int = 1) {
            self.init(
                sampleRate: sampleRate, channels: channels, frameDuration: options.frameDuration,
                bitrate: options.bitrate, complexity: options.complexity ?? 9,
                discontinuousTransmission: options.discontinuousTransmission,
                inbandFEC: options.inbandFEC,
                expectedPacketLossPercent: options.expectedPacketLossPercent
            )
        }
    }

    /// Rates libopus accepts for PCM in and out.
    public static let supportedSampleRates: [SampleRate] = [8_000, 12_000, 16_000, 24_000, 48_000].map {
        SampleRate(hertz: $0)
    }

    public let configuration: Configuration
    public let descriptor: CodecDescriptor
    public var frameDuration: FrameDuration { configuration.frameDuration }
    /// Bytes: 1275 per 20 ms Opus frame (RFC 6716 §3.2.1) times up to three frames in a 60 ms
    /// packet, plus framing bytes.
    public let maximumPayloadSize: Int
    /// Interleaved samples `encode` expects per call.
    public let frameSampleCount: Int
    /// The encoder's algorithmic delay in samples at 48 kHz: the Ogg Opus pre-skip
    /// (RFC 7845 §4.2). libopus reports it at the input rate (`OPUS_GET_LOOKAHEAD`); scaled here.
    public let lookahead48k: Int

    private let state: OpaquePointer
    private let samplesPerChannel: Int32

    public init(_ configuration: Configuration) throws(CodecError) {
        let c = configuration
        guard Self.supportedSampleRates.contains(c.sampleRate) else {
            throw .invalidParameter("Opus sample rate must be 8000, 12000, 16000, 24000 or 48000 Hz, not \(c.sampleRate.hertz)")
        }
        guard c.channels == 1 || c.channels == 2 else {
            throw .invalidParameter("Opus channels must be 1 or 2, not \(c.channels)")
        }
        if let b = c.bitrate, !(6_000...510_000).contains(b) {
            throw .invalidParameter("Opus bitrate must be 6000...510000 bit/s, not \(b)")
        }
        guard (0...10).contains(c.complexity) else {
            throw .invalidParameter("Opus complexity must be 0...10, not \(c.complexity)")
        }
        guard (0...100).contains(c.expectedPacketLossPercent) else {
            throw .invalidParameter("expected packet loss must be 0...100 %, not \(c.expectedPacketLossPercent)")
        }
        var error: Int32 = OPUS_OK
        guard
            let state = opus_encoder_create(
                Int32(c.sampleRate.hertz), Int32(c.channels), c.application.opusValue, &error),
            error == OPUS_OK
        else { throw .opus(error) }
        self.state = state
        do throws(CodecError) {
            if let b = c.bitrate { try checkOpus(timbre_opus_set_bitrate(state, Int32(b))) }
            try checkOpus(timbre_opus_set_complexity(state, Int32(c.complexity)))
            try checkOpus(timbre_opus_set_vbr(state, c.variableBitrate ? 1 : 0))
            try checkOpus(timbre_opus_set_vbr_constraint(state, c.constrainedVBR ? 1 : 0))
            try checkOpus(timbre_opus_set_dtx(state, c.discontinuousTransmission ? 1 : 0))
            try checkOpus(timbre_opus_set_inband_fec(state, c.inbandFEC ? 1 : 0))
            try checkOpus(timbre_opus_set_packet_loss_perc(state, Int32(c.expectedPacketLossPercent)))
            if let bw = c.bandwidth { try checkOpus(timbre_opus_set_bandwidth(state, bw.opusValue)) }
            if let bw = c.maximumBandwidth { try checkOpus(timbre_opus_set_max_bandwidth(state, bw.opusValue)) }
        } catch {
            opus_encoder_destroy(state)
            throw error
        }
        var lookahead: Int32 = 0
        _ = timbre_opus_get_lookahead(state, &lookahead)
        self.lookahead48k = Int(lookahead) * 48_000 / c.sampleRate.hertz
        self.configuration = c
        self.descriptor = OpusCodec.descriptor(sampleRate: c.sampleRate)
        self.samplesPerChannel = Int32(c.frameDuration.samples(at: c.sampleRate))
        self.frameSampleCount = Int(samplesPerChannel) * c.channels
        self.maximumPayloadSize = 1275 * max(1, c.frameDuration.milliseconds / 20) + 7
    }

    deinit { opus_encoder_destroy(state) }

    /// Encodes one frame (`frameSampleCount` interleaved samples) with `opus_encode`, returning
    /// the packet length in bytes. With DTX on, returns 0 for a frame that need not be sent
    /// (libopus marks those as packets of at most 2 bytes). Allocation-free.
    public func encode(
        _ pcm: UnsafeBufferPointer<Int16>, into payload: UnsafeMutableRawBufferPointer
    ) throws(CodecError) -> Int {
        let n = try encodePacket(pcm, into: payload)
        return configuration.discontinuousTransmission && n <= 2 ? 0 : n
    }

    /// Like `encode`, but always returns the packet libopus produced, including 1–2 byte DTX
    /// packets: a file (Ogg Opus) needs every packet to keep its timeline.
    public func encodePacket(
        _ pcm: UnsafeBufferPointer<Int16>, into payload: UnsafeMutableRawBufferPointer
    ) throws(CodecError) -> Int {
        guard pcm.count == frameSampleCount, let input = pcm.baseAddress else { throw .invalidFrameLength(pcm.count) }
        guard let out = payload.baseAddress, payload.count > 0 else {
            throw .outputTooSmall(needed: maximumPayloadSize)
        }
        let n = opus_encode(
            state, input, samplesPerChannel, out.assumingMemoryBound(to: UInt8.self),
            Int32(clamping: payload.count))
        if n < 0 {
            if n == OPUS_BUFFER_TOO_SMALL { throw .outputTooSmall(needed: maximumPayloadSize) }
            throw .opus(n)
        }
        return Int(n)
    }

    /// Changes the target bitrate mid-stream (`OPUS_SET_BITRATE`), e.g. on congestion.
    public func setBitrate(_ bitsPerSecond: Int) throws(CodecError) {
        guard (6_000...510_000).contains(bitsPerSecond) else {
            throw .invalidParameter("Opus bitrate must be 6000...510000 bit/s, not \(bitsPerSecond)")
        }
        try checkOpus(timbre_opus_set_bitrate(state, Int32(bitsPerSecond)))
    }

    /// Changes the expected loss mid-stream (`OPUS_SET_PACKET_LOSS_PERC`), e.g. from RTCP
    /// receiver reports; more loss makes in-band FEC stronger.
    public func setExpectedPacketLoss(percent: Int) throws(CodecError) {
        guard (0...100).contains(percent) else {
            throw .invalidParameter("expected packet loss must be 0...100 %, not \(percent)")
        }
        try checkOpus(timbre_opus_set_packet_loss_perc(state, Int32(percent)))
    }

    /// The bitrate libopus is using now (`OPUS_GET_BITRATE`), in bits per second.
    public var currentBitrate: Int {
        var v: Int32 = 0
        _ = timbre_opus_get_bitrate(state, &v)
        return Int(v)
    }

    /// `OPUS_RESET_STATE`: as a fresh encoder, settings kept.
    public func reset() { _ = timbre_opus_encoder_reset(state) }
}
