/// Why bytes were rejected as an RTP packet. Every malformed input maps to exactly one case, so a
/// receiver can count rejections by reason (the service's "malformed" metric) without strings.
public enum RTPParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Fewer than the 12 bytes of the fixed header (byte count given).
    case tooShort(Int)
    /// The version field is not 2 (value given).
    case unsupportedVersion(UInt8)
    /// The CSRC count says the list runs past the end of the packet (count given).
    case csrcListPastEnd(csrcCount: Int)
    /// The X bit is set but the 4-byte extension header does not fit.
    case extensionHeaderPastEnd
    /// The extension length (in 32-bit words, given) runs past the end of the packet.
    case extensionLengthPastEnd(words: Int)
    /// The P bit is set but the last byte, the padding count, is zero (RFC 3550 §5.1 counts itself).
    case zeroPaddingLength
    /// The padding count (given) is longer than what follows the header.
    case paddingPastEnd(Int)
    /// An RFC 8285 extension element's declared length runs past the extension block.
    case extensionElementPastEnd

    /// A short stable name for metrics labels ("too_short", "bad_version", …).
    public var reason: String {
        switch self {
        case .tooShort: "too_short"
        case .unsupportedVersion: "bad_version"
        case .csrcListPastEnd: "csrc_past_end"
        case .extensionHeaderPastEnd: "extension_header_past_end"
        case .extensionLengthPastEnd: "extension_length_past_end"
        case .zeroPaddingLength: "zero_padding_length"
        case .paddingPastEnd: "padding_past_end"
        case .extensionElementPastEnd: "extension_element_past_end"
        }
    }

    public var description: String {
        switch self {
        case .tooShort(let n): "RTP packet too short: \(n) bytes, need at least 12"
        case .unsupportedVersion(let v): "RTP version \(v), expected 2"
        case .csrcListPastEnd(let n): "CSRC list of \(n) entries runs past the end of the packet"
        case .extensionHeaderPastEnd: "header extension flag set but no room for its header"
        case .extensionLengthPastEnd(let w): "header extension of \(w) words runs past the end of the packet"
        case .zeroPaddingLength: "padding flag set but padding count is zero"
        case .paddingPastEnd(let n): "padding of \(n) bytes is longer than the packet body"
        case .extensionElementPastEnd: "header extension element runs past the extension block"
        }
    }
}

/// Why an RTP packet could not be written.
public enum RTPSerializeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The output buffer is too small (bytes needed given).
    case bufferTooSmall(needed: Int)
    /// A field is out of range (which, as a fixed string).
    case invalidField(String)

    public var description: String {
        switch self {
        case .bufferTooSmall(let n): "RTP output buffer too small: \(n) bytes needed"
        case .invalidField(let why): "invalid RTP field: \(why)"
        }
    }
}
