/// A parsed RTP packet: its header plus where the CSRC list, header extension and payload lie in
/// the buffer it was parsed from.
///
/// Parsing copies nothing and allocates nothing, so it suits the per-packet receive path. The
/// value does not own the bytes: read the payload with `payload(in:)` from the same buffer while
/// it is alive. Parsing never traps; every malformed input throws an `RTPParseError`.
public struct RTPPacket: Hashable, Sendable {
    public var header: RTPHeader
    /// The header extension, when the X bit is set.
    public var headerExtension: RTPHeaderExtension?
    /// Byte offset of the payload in the parsed buffer.
    public var payloadOffset: Int
    /// Payload length in bytes, excluding padding.
    public var payloadCount: Int
    /// Padding bytes at the end (including the count byte), 0 when the P bit is clear.
    public var paddingCount: Int

    /// Byte offset of the CSRC list in the parsed buffer (always right after the fixed header).
    public static let csrcOffset = RTPHeader.fixedSize

    /// Parses `bytes` as one RTP packet.
    ///
    /// Checks, in order: length ≥ 12, version 2, CSRC list fits, extension header and body fit,
    /// padding count non-zero and no longer than what follows the headers. RFC 8285 elements are
    /// checked only when read (`RTPHeaderExtension.forEachElement`), because a relay need not.
    @inlinable
    public init(parsing bytes: UnsafeRawBufferPointer) throws(RTPParseError) {
        let n = bytes.count
        guard n >= RTPHeader.fixedSize else { throw .tooShort(n) }
        let b0 = bytes[0]
        let version = b0 >> 6
        guard version == 2 else { throw .unsupportedVersion(version) }
        let hasPadding = b0 & 0x20 != 0
        let hasExtension = b0 & 0x10 != 0
        let cc = b0 & 0x0F
        let b1 = bytes[1]
        header = RTPHeader(
            marker: b1 & 0x80 != 0, payloadType: b1 & 0x7F,
            sequenceNumber: BigEndianBytes.u16(bytes, 2), timestamp: BigEndianBytes.u32(bytes, 4),
            ssrc: BigEndianBytes.u32(bytes, 8),
            hasPadding: hasPadding, hasExtension: hasExtension, csrcCount: cc)
        var offset = RTPHeader.fixedSize + 4 * Int(cc)
        guard offset <= n else { throw .csrcListPastEnd(csrcCount: Int(cc)) }
        if hasExtension {
            guard offset + 4 <= n else { throw .extensionHeaderPastEnd }
            let profile = BigEndianBytes.u16(bytes, offset)
            let words = Int(BigEndianBytes.u16(bytes, offset + 2))
            let dataOffset = offset + 4
            guard dataOffset + 4 * words <= n else { throw .extensionLengthPastEnd(words: words) }
            headerExtension = RTPHeaderExtension(profile: profile, dataOffset: dataOffset, dataCount: 4 * words)
            offset = dataOffset + 4 * words
        } else {
            headerExtension = nil
        }
        var padding = 0
        if hasPadding {
            // The padding count is the last byte; it must leave the headers intact.
            padding = Int(bytes[n - 1])
            guard padding > 0 else { throw .zeroPaddingLength }
            guard padding <= n - offset else { throw .paddingPastEnd(padding) }
        }
        payloadOffset = offset
        payloadCount = n - offset - padding
        paddingCount = padding
    }

    /// Parses a packet held in an array.
    public init(parsing bytes: [UInt8]) throws(RTPParseError) {
        let result = bytes.withUnsafeBytes { raw in Result { () throws(RTPParseError) in try RTPPacket(parsing: raw) } }
        self = try result.get()
    }

    /// Total packet length as parsed (headers + payload + padding).
    @inlinable
    public var count: Int { payloadOffset + payloadCount + paddingCount }

    /// The payload bytes within `bytes`, which must be the buffer this packet was parsed from.
    @inlinable
    public func payload(in bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        precondition(bytes.count >= count, "payload(in:) needs the buffer the packet was parsed from")
        return UnsafeRawBufferPointer(rebasing: bytes[payloadOffset..<(payloadOffset + payloadCount)])
    }

    /// The CSRC identifier at `index` (0..<csrcCount) within the parsed buffer.
    @inlinable
    public func csrc(at index: Int, in bytes: UnsafeRawBufferPointer) -> UInt32 {
        precondition(index >= 0 && index < Int(header.csrcCount) && bytes.count >= count, "CSRC index out of range")
        return BigEndianBytes.u32(bytes, Self.csrcOffset + 4 * index)
    }
}
