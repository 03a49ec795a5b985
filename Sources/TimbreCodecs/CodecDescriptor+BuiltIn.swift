import TimbreCore

extension CodecDescriptor {
    /// G.711 u-law: 8 kHz, static payload type 0 (RFC 3551 §4.5.14).
    public static let pcmu = CodecDescriptor(
        id: "pcmu", encodingName: "PCMU", sampleRate: .narrowband, rtpClockRate: 8000,
        payloadType: 0, isStaticPayloadType: true)

    /// G.711 A-law: 8 kHz, static payload type 8 (RFC 3551 §4.5.14).
    public static let pcma = CodecDescriptor(
        id: "pcma", encodingName: "PCMA", sampleRate: .narrowband, rtpClockRate: 8000,
        payloadType: 8, isStaticPayloadType: true)

    /// G.722 at 64 kbit/s: samples at 16 kHz, but its RTP clock runs at 8000 (RFC 3551 §4.5.2),
    /// static payload type 9.
    public static let g722 = CodecDescriptor(
        id: "g722", encodingName: "G722", sampleRate: .wideband, rtpClockRate: 8000,
        payloadType: 9, isStaticPayloadType: true)
}
