import TimbreCodecs
import TimbreCore

/// A leg's encoder as one concrete type, so that a `SharedEncoderGroup` (generic over its
/// encoder) can serve legs whose codec is only known at run time.
///
/// The group hands a listener over from the shared encoder to its own by copying the shared
/// state (`handover`): exact for value-type encoders (G.711, G.722), whose copy is their whole
/// state. A reference-type encoder (Opus) cannot be copied that way — assigning would alias the
/// shared instance — so it is reset instead: the far end's decoder sees a small discontinuity
/// once, never a shared encoder mutated twice in a tick.
struct EngineEncoder: AudioEncoder {
    var base: any AudioEncoder

    var descriptor: CodecDescriptor { base.descriptor }
    var frameDuration: FrameDuration { base.frameDuration }
    var maximumPayloadSize: Int { base.maximumPayloadSize }

    mutating func encode(_ pcm: UnsafeBufferPointer<Int16>, into payload: UnsafeMutableRawBufferPointer) throws(CodecError) -> Int {
        try base.encode(pcm, into: payload)
    }

    mutating func reset() { base.reset() }

    /// The group's handover: continue from `source`'s state when it can be copied, else start
    /// afresh.
    static func handover(_ target: inout EngineEncoder, from source: EngineEncoder) {
        if type(of: source.base) is AnyClass {
            target.reset()
        } else {
            target = source
        }
    }
}
