internal import COpus
public import TimbreCodecs
public import TimbreCore

/// An Opus decoder over libopus (`opus_decoder_create` / `opus_decode`), owned by one stream.
///
/// Any Opus packet decodes at any of 8, 12, 16, 24 or 48 kHz: the output rate is the decoder's
/// choice, not the sender's (RFC 7587 §3.1). Loss is handled by the codec itself: `conceal`
/// runs libopus PLC (a null packet), and `decodeRedundancy` recovers a lost frame from the
/// in-band FEC data of the packet after it. All per-frame calls are allocation-free.
public final class OpusDecoder: AudioDecoder {
    public let sampleRate: SampleRate
    public let channels: Int
    public let descriptor: CodecDescriptor
    /// Interleaved samples of the longest packet Opus allows (120 ms).
    public let maximumFrameSamples: Int
    public var hasBuiltInConcealment: Bool { true }

    private let state: OpaquePointer
    /// Samples per channel in 2.5 ms, the granularity libopus accepts for PLC/FEC lengths.
    private let quantum: Int

    public init(sampleRate: SampleRate = .fullband, channels: Int = 1) throws(CodecError) {
        guard OpusEncoder.supportedSampleRates.contains(sampleRate) else {
            throw .invalidParameter("Opus sample rate must be 8000, 12000, 16000, 24000 or 48000 Hz, not \(sampleRate.hertz)")
        }
        guard channels == 1 || channels == 2 else {
            throw .invalidParameter("Opus channels must be 1 or 2, not \(channels)")
        }
        var error: Int32 = OPUS_OK
        guard let state = opus_decoder_create(Int32(sampleRate.hertz), Int32(channels), &error), error == OPUS_OK
        else { throw .opus(error) }
        self.state = state
        self.sampleRate = sampleRate
        self.channels = channels
        self.descriptor = OpusCodec.descriptor(sampleRate: sampleRate)
        self.maximumFrameSamples = sampleRate.hertz * 120 / 1000 * channels
        self.quantum = sampleRate.hertz / 400
    }

    deinit { opus_decoder_destroy(state) }

    /// Sets the output gain in 1/256 dB (`OPUS_SET_GAIN`), the unit of the Ogg Opus header's
    /// output gain field (RFC 7845 §5.1). Range −32768...32767.
    public func setGain(q8dB: Int) throws(CodecError) {
        guard let g = Int16(exactly: q8dB) else { throw .invalidParameter("gain \(q8dB) out of Q7.8 range") }
        try checkOpus(timbre_opus_decoder_set_gain(state, Int32(g)))
    }

    /// Decodes one packet with `opus_decode`, returning the interleaved samples written.
    /// An empty payload is an error (use `conceal` for loss).
    public func decode(
        _ payload: UnsafeRawBufferPointer, into pcm: UnsafeMutableBufferPointer<Int16>
    ) throws(CodecError) -> Int {
        guard let data = payload.baseAddress?.assumingMemoryBound(to: UInt8.self), payload.count > 0 else {
            throw .invalidPayload("empty Opus packet")
        }
        let length = Int32(clamping: payload.count)
        let needed = opus_decoder_get_nb_samples(state, data, length)
        if needed < 0 { throw .opus(needed) }
        guard Int(needed) * channels <= pcm.count, let out = pcm.baseAddress else {
            throw .outputTooSmall(needed: Int(needed) * channels)
        }
        let n = opus_decode(state, data, length, out, Int32(pcm.count / channels), 0)
        if n < 0 { throw .opus(n) }
        return Int(n) * channels
    }

    /// libopus packet-loss concealment: `opus_decode` with a null packet for `samples` per
    /// channel (a multiple of 2.5 ms, at most 120 ms). Returns the interleaved samples written.
    public func conceal(samples: Int, into pcm: UnsafeMutableBufferPointer<Int16>) throws(CodecError) -> Int {
        let out = try checkLossLength(samples, pcm)
        let n = opus_decode(state, nil, 0, out, Int32(samples), 0)
        if n < 0 { throw .opus(n) }
        return Int(n) * channels
    }

    /// Recovers the `samples` (per channel) lost just before `nextPayload` from the in-band FEC
    /// (LBRR) data that packet carries: `opus_decode(..., decode_fec: 1)`. Returns 0 without
    /// touching the decoder when the packet carries no FEC, so the caller can conceal instead;
    /// afterwards decode `nextPayload` itself as usual.
    public func decodeRedundancy(
        from nextPayload: UnsafeRawBufferPointer, samples: Int, into pcm: UnsafeMutableBufferPointer<Int16>
    ) throws(CodecError) -> Int {
        let out = try checkLossLength(samples, pcm)
        guard let data = nextPayload.baseAddress?.assumingMemoryBound(to: UInt8.self), nextPayload.count > 0
        else { throw .invalidPayload("empty Opus packet") }
        guard try OpusPacket.hasInbandFEC(nextPayload) else { return 0 }
        let n = opus_decode(state, data, Int32(clamping: nextPayload.count), out, Int32(samples), 1)
        if n < 0 { throw .opus(n) }
        return Int(n) * channels
    }

    @inline(__always)
    private func checkLossLength(
        _ samples: Int, _ pcm: UnsafeMutableBufferPointer<Int16>
    ) throws(CodecError) -> UnsafeMutablePointer<Int16> {
        guard samples > 0, samples % quantum == 0, samples * channels <= maximumFrameSamples else {
            throw .invalidFrameLength(samples)
        }
        guard samples * channels <= pcm.count, let out = pcm.baseAddress else {
            throw .outputTooSmall(needed: samples * channels)
        }
        return out
    }

    /// `OPUS_RESET_STATE`: as a fresh decoder (new RTP stream).
    public func reset() { _ = timbre_opus_decoder_reset(state) }
}
