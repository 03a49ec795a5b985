import TimbreCore

/// One of G.711's two companding laws, as the frame codecs use it: which RTP codec it is and
/// its whole-buffer kernels (`G711`). The encoder and decoder are written once over this.
public protocol G711Law: Sendable {
    /// The RTP codec (`PCMU` or `PCMA`).
    static var descriptor: CodecDescriptor { get }
    /// Encodes `pcm` into `codes` (at least as long).
    static func encode(_ pcm: UnsafeBufferPointer<Int16>, into codes: UnsafeMutableBufferPointer<UInt8>)
    /// Decodes `codes` into `pcm` (at least as long).
    static func decode(_ codes: UnsafeBufferPointer<UInt8>, into pcm: UnsafeMutableBufferPointer<Int16>)
}

/// G.711 u-law (RTP `PCMU`, North America and Japan).
public enum MuLaw: G711Law {
    public static var descriptor: CodecDescriptor { .pcmu }
    public static func encode(_ pcm: UnsafeBufferPointer<Int16>, into codes: UnsafeMutableBufferPointer<UInt8>) {
        G711.encodeMuLaw(pcm, into: codes)
    }
    public static func decode(_ codes: UnsafeBufferPointer<UInt8>, into pcm: UnsafeMutableBufferPointer<Int16>) {
        G711.decodeMuLaw(codes, into: pcm)
    }
}

/// G.711 A-law (RTP `PCMA`, most of the rest of the world).
public enum ALaw: G711Law {
    public static var descriptor: CodecDescriptor { .pcma }
    public static func encode(_ pcm: UnsafeBufferPointer<Int16>, into codes: UnsafeMutableBufferPointer<UInt8>) {
        G711.encodeALaw(pcm, into: codes)
    }
    public static func decode(_ codes: UnsafeBufferPointer<UInt8>, into pcm: UnsafeMutableBufferPointer<Int16>) {
        G711.decodeALaw(codes, into: pcm)
    }
}
