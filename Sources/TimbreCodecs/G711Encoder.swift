import TimbreCore

/// G.711 u-law encoder (RTP `PCMU`).
public typealias PCMUEncoder = G711Encoder<MuLaw>
/// G.711 A-law encoder (RTP `PCMA`).
public typealias PCMAEncoder = G711Encoder<ALaw>

/// G.711 encoder: one octet per 8 kHz sample, no state.
///
/// Accepts any number of samples per call, not only whole `frameDuration` frames, because RTP
/// peers also use ptimes such as 30 ms. Allocation-free; call from the media thread. The law is
/// a type parameter, so each law's per-sample loop is its own specialised kernel.
public struct G711Encoder<Law: G711Law>: AudioEncoder, Sendable {
    public var descriptor: CodecDescriptor { Law.descriptor }
    public let frameDuration: FrameDuration

    public init(frameDuration: FrameDuration = .ms20) { self.frameDuration = frameDuration }

    /// One octet per sample of a `frameDuration` frame.
    public var maximumPayloadSize: Int { descriptor.samplesPerFrame(frameDuration) }

    /// Encodes `pcm` (any length) into `payload`, returning `pcm.count` bytes written.
    public mutating func encode(
        _ pcm: UnsafeBufferPointer<Int16>, into payload: UnsafeMutableRawBufferPointer
    ) throws(CodecError) -> Int {
        guard payload.count >= pcm.count else { throw .outputTooSmall(needed: pcm.count) }
        guard pcm.count > 0, let base = payload.baseAddress else { return 0 }
        Law.encode(pcm, into: UnsafeMutableBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: pcm.count))
        return pcm.count
    }

    /// G.711 keeps no state; nothing to reset.
    public mutating func reset() {}
}
