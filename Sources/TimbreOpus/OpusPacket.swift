internal import COpus
public import TimbreCodecs

/// Facts read from an Opus packet's bytes without decoding it (RFC 6716 §3).
public enum OpusPacket {
    /// Samples per channel the packet decodes to at `sampleRate` Hz
    /// (`opus_packet_get_nb_samples`); throws for a malformed table of contents.
    public static func sampleCount(_ packet: UnsafeRawBufferPointer, sampleRate: Int = 48_000) throws(CodecError) -> Int {
        guard let data = packet.baseAddress?.assumingMemoryBound(to: UInt8.self), packet.count > 0 else {
            throw .invalidPayload("empty Opus packet")
        }
        let n = opus_packet_get_nb_samples(data, Int32(clamping: packet.count), Int32(sampleRate))
        if n < 0 { throw .opus(n) }
        return Int(n)
    }

    /// Whether the packet's first frame carries SILK LBRR (in-band FEC) data for the frame
    /// before it. Allocation-free.
    ///
    /// Only SILK and hybrid packets (TOC configurations 0–15) can carry it. The SILK header
    /// begins the range-coded frame with equiprobable flags: one VAD flag per 20 ms SILK frame
    /// and then the LBRR flag, for the mid channel and (stereo) again for the side channel
    /// (RFC 6716 §4.2.3). Equiprobable symbols at the start of the range coder are the leading
    /// bits of the first byte, so they can be read directly.
    public static func hasInbandFEC(_ packet: UnsafeRawBufferPointer) throws(CodecError) -> Bool {
        guard let data = packet.baseAddress?.assumingMemoryBound(to: UInt8.self), packet.count > 0 else {
            throw .invalidPayload("empty Opus packet")
        }
        let toc = data[0]
        let configuration = Int(toc >> 3)
        guard configuration < 16 else { return false }  // CELT-only
        // opus_packet_parse finds where the first frame's bytes start (after any frame lengths
        // and padding); its 48-entry outputs live on the stack.
        let parsed = withUnsafeTemporaryAllocation(of: Int16.self, capacity: 48) { sizes in
            withUnsafeTemporaryAllocation(of: UnsafePointer<UInt8>?.self, capacity: 48) { frames in
                var offset: Int32 = 0
                let count = opus_packet_parse(
                    data, Int32(clamping: packet.count), nil, frames.baseAddress, sizes.baseAddress!, &offset)
                return (count, count > 0 ? Int(sizes[0]) : 0, Int(offset))
            }
        }
        if parsed.0 < 0 { throw .opus(parsed.0) }
        let (_, firstSize, payloadOffset) = parsed
        guard firstSize > 0, payloadOffset < packet.count else { return false }
        let first = data[payloadOffset]
        // 20 ms SILK frames per Opus frame: SILK-only configurations (0–11) code 10, 20, 40 or
        // 60 ms in their low two bits (1, 1, 2, 3 SILK frames); hybrid (12–15) is 10 or 20 ms.
        let frames20 = configuration < 12 ? max(1, configuration & 3) : 1
        let stereo = toc & 0x04 != 0
        let midLBRR = (first >> (7 - frames20)) & 1 != 0
        if midLBRR { return true }
        if stereo { return (first >> (6 - 2 * frames20)) & 1 != 0 }
        return false
    }
}
