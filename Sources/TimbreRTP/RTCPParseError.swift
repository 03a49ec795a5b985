/// Why bytes were rejected as an RTCP compound packet (RFC 3550 §6 and the validity checks of
/// appendix A.2). Each case names one defect, so receivers can count them by reason.
public enum RTCPParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Fewer than 4 bytes left for a common header (bytes given).
    case tooShort(Int)
    /// Version field not 2 (value given).
    case unsupportedVersion(UInt8)
    /// A packet's length field runs past the end of the datagram (packet index given).
    case lengthPastEnd(packetIndex: Int)
    /// A packet other than the last has the padding bit set.
    case paddingNotLast(packetIndex: Int)
    /// The padding count is zero or longer than the packet body.
    case invalidPadding(packetIndex: Int)
    /// The report blocks announced by the count do not fit in the packet (count given).
    case reportBlocksPastEnd(count: Int)
    /// An SR or RR is shorter than its fixed part.
    case reportTooShort(packetIndex: Int)
    /// An SDES chunk or item runs past the end of its packet.
    case sourceDescriptionPastEnd(packetIndex: Int)
    /// A BYE's SSRC list or reason runs past the end of its packet.
    case goodbyePastEnd(packetIndex: Int)
    /// More packets in one compound than the parser's bound (bound given).
    case tooManyPackets(limit: Int)
    /// Strict mode: the first packet is not an SR or RR (its type given).
    case firstPacketNotReport(UInt8)

    public var reason: String {
        switch self {
        case .tooShort: "too_short"
        case .unsupportedVersion: "bad_version"
        case .lengthPastEnd: "length_past_end"
        case .paddingNotLast: "padding_not_last"
        case .invalidPadding: "invalid_padding"
        case .reportBlocksPastEnd: "report_blocks_past_end"
        case .reportTooShort: "report_too_short"
        case .sourceDescriptionPastEnd: "sdes_past_end"
        case .goodbyePastEnd: "bye_past_end"
        case .tooManyPackets: "too_many_packets"
        case .firstPacketNotReport: "first_not_report"
        }
    }

    public var description: String {
        switch self {
        case .tooShort(let n): "RTCP packet too short: \(n) bytes left, need a 4-byte header"
        case .unsupportedVersion(let v): "RTCP version \(v), expected 2"
        case .lengthPastEnd(let i): "RTCP packet \(i) length runs past the end of the datagram"
        case .paddingNotLast(let i): "RTCP packet \(i) is padded but is not the last packet"
        case .invalidPadding(let i): "RTCP packet \(i) has a zero or oversized padding count"
        case .reportBlocksPastEnd(let n): "\(n) RTCP report blocks do not fit in the packet"
        case .reportTooShort(let i): "RTCP report \(i) shorter than its fixed part"
        case .sourceDescriptionPastEnd(let i): "SDES packet \(i) chunk or item runs past its end"
        case .goodbyePastEnd(let i): "BYE packet \(i) runs past its end"
        case .tooManyPackets(let n): "more than \(n) packets in one RTCP compound packet"
        case .firstPacketNotReport(let t): "RTCP compound starts with packet type \(t), not SR or RR"
        }
    }
}

/// Why an RTCP packet could not be written.
public enum RTCPSerializeError: Error, Hashable, Sendable, CustomStringConvertible {
    case bufferTooSmall(needed: Int)
    /// A count or length exceeds what the wire format holds (which, as text).
    case invalidField(String)

    public var description: String {
        switch self {
        case .bufferTooSmall(let n): "RTCP output buffer too small: \(n) bytes needed"
        case .invalidField(let why): "invalid RTCP field: \(why)"
        }
    }
}
