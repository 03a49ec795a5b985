import TimbreCore

/// Encodes fixed-size frames of 16-bit PCM into codec payloads.
///
/// An encoder is owned by one stream (a value or a final class) and keeps state between frames;
/// `encode` allocates nothing. The real-time path holds it as `any AudioEncoder` and pays one
/// dynamic call per frame, never per sample.
public protocol AudioEncoder {
    var descriptor: CodecDescriptor { get }
    /// Frame length this encoder was configured for.
    var frameDuration: FrameDuration { get }
    /// Largest payload one frame can produce, for sizing output buffers once.
    var maximumPayloadSize: Int { get }
    /// Encodes one frame (`descriptor.samplesPerFrame(frameDuration)` samples) into `payload`,
    /// returning the bytes written. May return 0 for a frame the codec chose not to send (DTX).
    mutating func encode(
        _ pcm: UnsafeBufferPointer<Int16>, into payload: UnsafeMutableRawBufferPointer
    ) throws(CodecError) -> Int
    /// Returns to the initial state, as at the start of a new RTP stream (new SSRC).
    mutating func reset()
}

/// Decodes codec payloads into 16-bit PCM.
public protocol AudioDecoder {
    var descriptor: CodecDescriptor { get }
    /// Largest PCM output of one payload, in samples, for sizing buffers once.
    var maximumFrameSamples: Int { get }
    /// Decodes one payload into `pcm`, returning the samples written.
    mutating func decode(
        _ payload: UnsafeRawBufferPointer, into pcm: UnsafeMutableBufferPointer<Int16>
    ) throws(CodecError) -> Int
    /// Whether the codec has its own packet-loss concealment (Opus). Codecs without it return
    /// false and the jitter buffer conceals for them.
    var hasBuiltInConcealment: Bool { get }
    /// Produces `samples` of concealment for a lost frame using the codec's own PLC, returning
    /// the samples written (0 when the codec has none).
    mutating func conceal(samples: Int, into pcm: UnsafeMutableBufferPointer<Int16>) throws(CodecError) -> Int
    /// Recovers a lost frame from the forward-error-correction data carried in the *next*
    /// payload (Opus in-band FEC), returning the samples written, or 0 when it carries none.
    mutating func decodeRedundancy(
        from nextPayload: UnsafeRawBufferPointer, samples: Int, into pcm: UnsafeMutableBufferPointer<Int16>
    ) throws(CodecError) -> Int
    /// Returns to the initial state (new RTP stream).
    mutating func reset()
}

extension AudioDecoder {
    public var hasBuiltInConcealment: Bool { false }
    public mutating func conceal(samples: Int, into pcm: UnsafeMutableBufferPointer<Int16>) throws(CodecError) -> Int { 0 }
    public mutating func decodeRedundancy(
        from nextPayload: UnsafeRawBufferPointer, samples: Int, into pcm: UnsafeMutableBufferPointer<Int16>
    ) throws(CodecError) -> Int { 0 }
}
