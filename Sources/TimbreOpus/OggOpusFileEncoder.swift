public import TimbreCodecs

/// Encodes 16-bit PCM into an Ogg Opus file (RFC 7845) with an `OpusEncoder` and an
/// `OggOpusWriter`: whole frames are cut from the input as it arrives, and `finish` pads the
/// end with silence to cover the encoder's lookahead and the last partial frame, then sets the
/// final granule so decoders play exactly the input's length (pre-skip and end trimming).
///
/// The file path, not the RTP path: it buffers at most one frame of input.
public struct OggOpusFileEncoder {
    public let encoder: OpusEncoder
    private var writer: OggOpusWriter
    private var pending: [Int16] = []
    private var payload: [UInt8]
    /// Input samples per channel received so far.
    private var inputFrames = 0

    public init(
        _ configuration: OpusEncoder.Configuration, tags: OpusTags = OpusTags(), serialNumber: UInt32
    ) throws(CodecError) {
        encoder = try OpusEncoder(configuration)
        writer = OggOpusWriter(
            head: OpusHead(
                channels: configuration.channels, preSkip: encoder.lookahead48k,
                inputSampleRate: configuration.sampleRate.hertz),
            tags: tags, serialNumber: serialNumber)
        payload = Array(repeating: 0, count: encoder.maximumPayloadSize)
        pending.reserveCapacity(encoder.frameSampleCount)
    }

    /// Appends interleaved samples (any count) at the encoder's rate and channel count.
    public mutating func append(_ pcm: UnsafeBufferPointer<Int16>) throws(CodecError) {
        precondition(pcm.count % encoder.configuration.channels == 0, "whole interleaved frames")
        inputFrames += pcm.count / encoder.configuration.channels
        var rest = pcm[...]
        while !rest.isEmpty {
            let take = min(rest.count, encoder.frameSampleCount - pending.count)
            pending += rest.prefix(take)
            rest = rest.dropFirst(take)
            if pending.count == encoder.frameSampleCount { try encodePending() }
        }
    }

    public mutating func append(_ pcm: [Int16]) throws(CodecError) {
        try pcm.withUnsafeBufferPointer { p in Result { () throws(CodecError) in try append(p) } }.get()
    }

    /// Bytes written so far (pages completed); forgets them.
    public mutating func takeOutput() -> [UInt8] { writer.takeOutput() }

    /// Flushes the encoder's delay with silence, writes the end-of-stream page, and returns
    /// the remaining bytes.
    public mutating func finish() throws(CodecError) -> [UInt8] {
        let channels = encoder.configuration.channels
        let rate = encoder.configuration.sampleRate.hertz
        // Silence enough to push the last real sample through the lookahead, frame-aligned.
        var padding = (encoder.lookahead48k * rate + 47_999) / 48_000 * channels
        while padding > 0 || !pending.isEmpty {
            let take = min(padding, encoder.frameSampleCount - pending.count)
            pending += repeatElement(0, count: take)
            padding -= take
            if pending.count == encoder.frameSampleCount { try encodePending() }
            if padding == 0 && !pending.isEmpty {
                pending += repeatElement(0, count: encoder.frameSampleCount - pending.count)
                try encodePending()
            }
        }
        writer.finish(originalSampleCount48k: inputFrames * 48_000 / rate)
        return writer.takeOutput()
    }

    private mutating func encodePending() throws(CodecError) {
        let n = try pending.withUnsafeBufferPointer { p in
            payload.withUnsafeMutableBytes { out in Result { () throws(CodecError) in try encoder.encodePacket(p, into: out) } }
        }.get()
        do {
            try payload.withUnsafeBytes { p in
                Result { () throws(OggOpusError) in try writer.append(packet: UnsafeRawBufferPointer(rebasing: p[..<n])) }
            }.get()
        } catch { throw .invalidPayload("\(error)") }
        pending.removeAll(keepingCapacity: true)
    }
}
