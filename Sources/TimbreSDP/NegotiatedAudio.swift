import TimbreCodecs

/// A codec agreed for one RTP stream: which codec, under which payload type number, with the
/// peer's format parameters.
public struct NegotiatedCodec: Hashable, Sendable {
    public var descriptor: CodecDescriptor
    /// The payload type number on the wire (the offerer's number, RFC 3264 §6.1).
    public var payloadType: UInt8
    /// The peer's `a=fmtp` parameters for this payload type, if any.
    public var remoteFormatParameters: String?

    public init(descriptor: CodecDescriptor, payloadType: UInt8, remoteFormatParameters: String? = nil) {
        self.descriptor = descriptor
        self.payloadType = payloadType
        self.remoteFormatParameters = remoteFormatParameters
    }

    /// `remoteFormatParameters` split into `key=value` pairs (RFC 7587 style `a=1;b=2`), keys
    /// lower-cased.
    public var remoteParameters: [String: String] { FormatParameters.parse(remoteFormatParameters ?? "") }
}

/// The outcome of offer/answer for the audio stream: everything the media engine needs to send
/// and receive.
public struct NegotiatedAudio: Hashable, Sendable {
    /// Where to send RTP.
    public var remoteAddress: String
    public var remotePort: Int
    /// Where to send RTCP (`a=rtcp`, else RTP port + 1).
    public var remoteRTCPPort: Int
    /// The codec we send with.
    public var sendCodec: NegotiatedCodec
    /// Every codec we may receive (payload type → codec), the send codec included.
    public var receiveCodecs: [NegotiatedCodec]
    /// The telephone-event payload type matching the send codec's clock rate, if negotiated.
    public var telephoneEventPayloadType: UInt8?
    /// Packetisation we send with (the peer's `a=ptime` when we support it, else 20 ms).
    public var sendPacketTime: Int
    /// Our direction after negotiation.
    public var direction: MediaDirection

    /// Whether the peer put us on hold (we must not send, or it does not send).
    public var isHeldByRemote: Bool { !direction.sends }

    public func receiveCodec(payloadType: UInt8) -> NegotiatedCodec? {
        receiveCodecs.first { $0.payloadType == payloadType }
    }
}

/// Helpers for `a=fmtp` parameter strings.
public enum FormatParameters {
    /// Parses `a=1; b=2;c` into a dictionary (keys lower-cased, flags map to ""); bounded to 32
    /// entries.
    public static func parse(_ s: String) -> [String: String] {
        var out: [String: String] = [:]
        for part in s.split(separator: ";").prefix(32) {
            let kv = part.split(separator: "=", maxSplits: 1)
            guard let k = kv.first else { continue }
            let key = String(k).trimmingSpaces.lowercased()
            guard !key.isEmpty else { continue }
            out[key] = kv.count == 2 ? String(kv[1]).trimmingSpaces : ""
        }
        return out
    }
}
