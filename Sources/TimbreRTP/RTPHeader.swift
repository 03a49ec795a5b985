/// The fixed fields of an RTP header (RFC 3550 §5.1), without the variable-length parts.
///
/// A plain value: the CSRC list, header extension and payload of a received packet stay in the
/// caller's buffer and are described by `RTPPacket`. Sequence numbers and timestamps are the raw
/// wrapping wire values; `SequenceNumberUnwrapper` and `TimestampUnwrapper` extend them.
public struct RTPHeader: Hashable, Sendable {
    /// The P bit: the packet ends in padding whose last byte counts the padding bytes.
    public var hasPadding: Bool
    /// The X bit: a header extension follows the CSRC list.
    public var hasExtension: Bool
    /// Number of CSRC identifiers (0...15).
    public var csrcCount: UInt8
    /// The M bit; for audio, the first packet of a talkspurt (RFC 3551 §4.1).
    public var marker: Bool
    /// Payload type, 0...127.
    public var payloadType: UInt8
    /// Sequence number, incrementing by one per packet, wrapping at 2^16.
    public var sequenceNumber: UInt16
    /// Sampling instant of the first payload octet, in the payload format's RTP clock ticks.
    public var timestamp: UInt32
    /// Synchronisation source identifier.
    public var ssrc: UInt32

    /// Size of the fixed header in bytes.
    public static let fixedSize = 12

    public init(
        marker: Bool = false, payloadType: UInt8, sequenceNumber: UInt16, timestamp: UInt32, ssrc: UInt32,
        hasPadding: Bool = false, hasExtension: Bool = false, csrcCount: UInt8 = 0
    ) {
        self.hasPadding = hasPadding
        self.hasExtension = hasExtension
        self.csrcCount = csrcCount
        self.marker = marker
        self.payloadType = payloadType
        self.sequenceNumber = sequenceNumber
        self.timestamp = timestamp
        self.ssrc = ssrc
    }
}

/// Big-endian reads and writes on raw buffers. Callers check bounds first; these do not.
@usableFromInline
enum BigEndianBytes {
    @inlinable @inline(__always)
    static func u16(_ b: UnsafeRawBufferPointer, _ at: Int) -> UInt16 {
        UInt16(b[at]) << 8 | UInt16(b[at + 1])
    }

    @inlinable @inline(__always)
    static func u32(_ b: UnsafeRawBufferPointer, _ at: Int) -> UInt32 {
        UInt32(b[at]) << 24 | UInt32(b[at + 1]) << 16 | UInt32(b[at + 2]) << 8 | UInt32(b[at + 3])
    }

    @inlinable @inline(__always)
    static func put16(_ b: UnsafeMutableRawBufferPointer, _ at: Int, _ v: UInt16) {
        b[at] = UInt8(truncatingIfNeeded: v >> 8)
        b[at + 1] = UInt8(truncatingIfNeeded: v)
    }

    @inlinable @inline(__always)
    static func put32(_ b: UnsafeMutableRawBufferPointer, _ at: Int, _ v: UInt32) {
        b[at] = UInt8(truncatingIfNeeded: v >> 24)
        b[at + 1] = UInt8(truncatingIfNeeded: v >> 16)
        b[at + 2] = UInt8(truncatingIfNeeded: v >> 8)
        b[at + 3] = UInt8(truncatingIfNeeded: v)
    }
}
