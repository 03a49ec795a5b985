import TimbreCodecs
public import TimbreCore

/// Decodes a whole Ogg Opus stream to 16-bit PCM at a chosen rate, applying the header's
/// pre-skip (dropped from the start), output gain, and end trimming (the final granule
/// position), as RFC 7845 §4.2–4.4 require. Used for files (`timbre codec decode`), not RTP.
///
/// Push bytes with `append`; take PCM as it comes from `pcm` (interleaved, `channels` wide);
/// call `finish()` at the end of input, which applies the end trimming.
public struct OggOpusFileDecoder {
    public let sampleRate: SampleRate
    public private(set) var reader = OggOpusReader()
    /// Decoded interleaved samples so far, pre-skip removed.
    public private(set) var pcm: [Int16] = []
    public var channels: Int { reader.head?.channels ?? 0 }

    private var decoder: OpusDecoder?
    private var scratch: [Int16] = []
    /// Output samples (per channel) still to drop for pre-skip.
    private var skipRemaining = 0
    /// Per-channel samples decoded so far including skipped ones, in 48 kHz units.
    private var decoded48k: Int64 = 0
    private var finalGranule: Int64?

    public init(sampleRate: SampleRate = .fullband) { self.sampleRate = sampleRate }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) throws(OggOpusError) {
        try reader.append(bytes)
        while let packet = reader.nextPacket() { try decode(packet) }
    }

    public mutating func append(_ bytes: [UInt8]) throws(OggOpusError) {
        try bytes.withUnsafeBytes { b in Result { () throws(OggOpusError) in try append(b) } }.get()
    }

    /// Checks the stream ended properly and trims the last packet's padding. Returns all PCM.
    public mutating func finish() throws(OggOpusError) -> [Int16] {
        try reader.finish()
        if let g = finalGranule, let head = reader.head {
            // Bounded by what was decoded before scaling, so a huge granule cannot overflow.
            let keep48k = min(max(0, g - Int64(head.preSkip)), decoded48k)
            let keep = Int(keep48k * Int64(sampleRate.hertz) / 48_000) * channels
            if keep < pcm.count { pcm.removeLast(pcm.count - keep) }
        }
        return pcm
    }

    private mutating func decode(_ packet: OggOpusPacket) throws(OggOpusError) {
        guard let head = reader.head else { return }
        if decoder == nil {
            guard head.mappingFamily == 0 else {
                throw .unsupportedChannelMapping(family: head.mappingFamily, channels: head.channels)
            }
            do {
                let d = try OpusDecoder(sampleRate: sampleRate, channels: head.channels)
                if head.outputGain != 0 { try d.setGain(q8dB: Int(head.outputGain)) }
                decoder = d
            } catch { throw .badAudioPacket(error) }
            scratch = Array(repeating: 0, count: decoder!.maximumFrameSamples)
            skipRemaining = head.preSkip * sampleRate.hertz / 48_000
        }
        guard let decoder else { return }
        let count: Int
        do {
            count = try packet.bytes.withUnsafeBytes { p in
                scratch.withUnsafeMutableBufferPointer { out in
                    Result { () throws(CodecError) in try decoder.decode(p, into: out) }
                }
            }.get()
        } catch { throw .badAudioPacket(error) }
        let frames = count / head.channels
        decoded48k += Int64(frames * 48_000 / sampleRate.hertz)
        let skip = min(skipRemaining, frames)
        skipRemaining -= skip
        pcm += scratch[(skip * head.channels)..<count]
        if let g = packet.granulePosition {
            guard g >= 0 else { throw .badGranulePosition(g) }
            if packet.isEndOfStream { finalGranule = g }
        }
    }
}
