import TimbreCodecs
import TimbreCore
import TimbreSDP

/// The outcome of offer/answer for one RTP leg: what to send, what to expect, where.
public struct NegotiatedMedia: Sendable {
    /// The codec both sides agreed on (first in the answer).
    public var codec: CodecRegistry.Entry
    /// The payload type the codec uses on this leg (dynamic types come from SDP).
    public var payloadType: UInt8
    /// RFC 4733 telephone-event payload type, when negotiated.
    public var telephoneEventPayloadType: UInt8?
    /// RFC 3389 comfort-noise payload type, when negotiated.
    public var comfortNoisePayloadType: UInt8?
    /// Our direction (what we do: sendrecv, sendonly = we only send, ...).
    public var direction: MediaDirection
    /// Where to send RTP (from the remote SDP; replaced by latching unless strict).
    public var remote: SocketAddress?
    /// Where to send RTCP (remote RTP port + 1 unless a=rtcp says otherwise).
    public var remoteRTCP: SocketAddress?

    public init(
        codec: CodecRegistry.Entry, payloadType: UInt8, telephoneEventPayloadType: UInt8? = nil,
        comfortNoisePayloadType: UInt8? = nil, direction: MediaDirection = .sendrecv,
        remote: SocketAddress? = nil, remoteRTCP: SocketAddress? = nil
    ) {
        self.codec = codec
        self.payloadType = payloadType
        self.telephoneEventPayloadType = telephoneEventPayloadType
        self.comfortNoisePayloadType = comfortNoisePayloadType
        self.direction = direction
        self.remote = remote
        self.remoteRTCP = remoteRTCP
    }
}
