public import TimbreCodecs

/// Why an Ogg Opus stream could not be read or written. Each case names what was wrong with
/// the input, so the CLI can print one clear line.
public enum OggOpusError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The bytes at `offset` do not start with the capture pattern `OggS`.
    case notOgg(offset: Int)
    /// The page's stream structure version is not 0.
    case unsupportedOggVersion(UInt8)
    /// A page's checksum does not match its bytes (page sequence number given).
    case badChecksum(pageSequence: UInt32)
    /// The input ended inside a page header, segment table or body.
    case truncatedPage(offset: Int)
    /// The input ended before the end-of-stream page, or in the middle of a packet.
    case truncatedStream
    /// A page is missing: sequence numbers jumped from `expected` to `found`.
    case missingPage(expected: UInt32, found: UInt32)
    /// The stream has no OpusHead, or it is malformed (reason given).
    case badOpusHead(String)
    /// The OpusTags header is missing or malformed (reason given).
    case badOpusTags(String)
    /// Channel mapping family other than 0 (mono/stereo) is not supported for decoding.
    case unsupportedChannelMapping(family: UInt8, channels: Int)
    /// A packet is larger than the reader's bound (bytes).
    case packetTooLarge(Int)
    /// An audio packet is not a valid Opus packet (the decoder's message).
    case badAudioPacket(CodecError)
    /// A granule position goes backwards or is otherwise impossible.
    case badGranulePosition(Int64)

    public var description: String {
        switch self {
        case .notOgg(let offset): "not an Ogg stream (no OggS capture pattern at byte \(offset))"
        case .unsupportedOggVersion(let v): "unsupported Ogg stream structure version \(v)"
        case .badChecksum(let seq): "bad CRC in Ogg page \(seq)"
        case .truncatedPage(let offset): "truncated Ogg page at byte \(offset)"
        case .truncatedStream: "Ogg Opus stream ends before its end-of-stream page"
        case .missingPage(let expected, let found): "missing Ogg page: expected sequence \(expected), found \(found)"
        case .badOpusHead(let why): "bad OpusHead header: \(why)"
        case .badOpusTags(let why): "bad OpusTags header: \(why)"
        case .unsupportedChannelMapping(let family, let channels):
            "unsupported Opus channel mapping family \(family) (\(channels) channels)"
        case .packetTooLarge(let n): "Ogg packet of \(n) bytes exceeds the limit"
        case .badAudioPacket(let error): "bad Opus packet: \(error)"
        case .badGranulePosition(let g): "impossible granule position \(g)"
        }
    }
}
