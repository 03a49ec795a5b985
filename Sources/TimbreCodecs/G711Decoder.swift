import TimbreCore

/// G.711 u-law decoder (RTP `PCMU`).
public typealias PCMUDecoder = G711Decoder<MuLaw>
/// G.711 A-law decoder (RTP `PCMA`).
public typealias PCMADecoder = G711Decoder<ALaw>

/// G.711 decoder: one 8 kHz sample per octet, no state.
///
/// Every octet is a valid code, so any payload decodes. No built-in concealment: the jitter
/// buffer conceals for G.711. Allocation-free; call from the media thread.
public struct G711Decoder<Law: G711Law>: AudioDecoder, Sendable {
    public var descriptor: CodecDescriptor { Law.descriptor }

    public init() {}

    /// Samples in the longest frame we packetise (60 ms at 8 kHz).
    public var maximumFrameSamples: Int { descriptor.samplesPerFrame(.ms60) }

    /// Decodes `payload` (any length) into `pcm`, returning `payload.count` samples written.
    public mutating func decode(
        _ payload: UnsafeRawBufferPointer, into pcm: UnsafeMutableBufferPointer<Int16>
    ) throws(CodecError) -> Int {
        guard pcm.count >= payload.count else { throw .outputTooSmall(needed: payload.count) }
        guard payload.count > 0, let base = payload.baseAddress else { return 0 }
        Law.decode(UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: payload.count), into: pcm)
        return payload.count
    }

    /// G.711 keeps no state; nothing to reset.
    public mutating func reset() {}
}
