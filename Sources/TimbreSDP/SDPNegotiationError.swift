/// Why an offer could not be answered or an answer not accepted (the service maps these to 4xx
/// responses, as a SIP back end would to 488 Not Acceptable Here).
public enum SDPNegotiationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The offer has no usable audio stream (all absent, disabled, or not plain RTP).
    case noAudioStream
    /// No offered audio format matches a supported codec (offered rtpmaps given).
    case noCommonCodec(offered: [String])
    /// The answer's m= lines do not match the offer's (counts given), RFC 3264 §6.
    case mediaCountMismatch(offered: Int, answered: Int)
    /// The answer rejected our audio stream (port 0).
    case audioRejected
    /// The answer lists a payload type we did not offer.
    case formatNotOffered(String)
    /// The answer has no connection address for the audio stream.
    case missingConnection
    /// We have nothing to offer (empty codec list).
    case nothingToOffer

    public var description: String {
        switch self {
        case .noAudioStream: "the offer has no usable RTP/AVP audio stream"
        case .noCommonCodec(let offered): "no common codec (offered: \(offered.joined(separator: ", ")))"
        case .mediaCountMismatch(let o, let a): "the answer has \(a) media sections, the offer \(o)"
        case .audioRejected: "the answer rejected the audio stream"
        case .formatNotOffered(let f): "the answer uses payload type \(f), which was not offered"
        case .missingConnection: "the answer has no connection address"
        case .nothingToOffer: "no codecs to offer"
        }
    }
}
