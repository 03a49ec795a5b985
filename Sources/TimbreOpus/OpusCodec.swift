public import TimbreCodecs
public import TimbreCore

/// Opus as RTP and SDP name it (RFC 7587), and its registry entry.
public enum OpusCodec {
    /// The dynamic payload type we offer by default (common practice; any of 96–127 works).
    public static let defaultPayloadType: UInt8 = 111

    /// The descriptor of an Opus stream whose PCM runs at `sampleRate`. RFC 7587 §4.1: the
    /// RTP clock is 48000 and the rtpmap always says 2 channels (`opus/48000/2`), whatever the
    /// PCM rate and whether the stream is mono.
    public static func descriptor(
        sampleRate: SampleRate = .fullband, payloadType: UInt8 = defaultPayloadType
    ) -> CodecDescriptor {
        CodecDescriptor(
            id: "opus", encodingName: "opus", sampleRate: sampleRate, rtpClockRate: 48_000,
            rtpChannels: 2, payloadType: payloadType, isStaticPayloadType: false,
            defaultFrameDuration: .ms20,
            defaultFormatParameters: OpusFormatParameters(useInbandFEC: true).description
        )
    }

    /// The registry entry: 48 kHz mono encoders (VOIP) and decoders.
    public static func registryEntry(payloadType: UInt8 = defaultPayloadType) -> CodecRegistry.Entry {
        CodecRegistry.Entry(
            descriptor: descriptor(payloadType: payloadType),
            makeEncoder: { options throws(CodecError) in try OpusEncoder(.init(options)) },
            makeDecoder: { () throws(CodecError) in try OpusDecoder() }
        )
    }
}
