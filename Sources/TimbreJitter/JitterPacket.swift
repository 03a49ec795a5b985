/// One received RTP media packet as the jitter buffer needs it: a value type at the module edge.
///
/// Built from a parsed RTP packet (see `TimbreRTP`) or directly in tests. `insert` copies the
/// payload into the buffer's preallocated slot storage, so the caller keeps ownership of its bytes.
public struct JitterPacket: Hashable, Sendable {
    /// RTP sequence number (wraps at 2^16).
    public var sequenceNumber: UInt16
    /// RTP timestamp in RTP clock ticks (wraps at 2^32).
    public var timestamp: UInt32
    /// RTP marker bit: for audio, the first packet of a talkspurt (RFC 3551 §4.1).
    public var marker: Bool
    /// RTP payload type (7 bits).
    public var payloadType: UInt8
    /// Synchronisation source; a change restarts the stream.
    public var ssrc: UInt32
    /// The codec payload (or RFC 3389 comfort-noise payload).
    public var payload: [UInt8]

    public init(
        sequenceNumber: UInt16, timestamp: UInt32, marker: Bool = false, payloadType: UInt8,
        ssrc: UInt32, payload: [UInt8]
    ) {
        self.sequenceNumber = sequenceNumber
        self.timestamp = timestamp
        self.marker = marker
        self.payloadType = payloadType
        self.ssrc = ssrc
        self.payload = payload
    }
}

/// 16- and 32-bit RTP counters unwrapped against a 64-bit reference (RFC 3550 §A.1 idea):
/// the value closest to the reference on the extended line.
enum WrapAround {
    @inline(__always)
    static func unwrap(_ value: UInt16, near reference: Int64) -> Int64 {
        let delta = Int16(bitPattern: value &- UInt16(truncatingIfNeeded: reference))
        return reference + Int64(delta)
    }

    @inline(__always)
    static func unwrap(_ value: UInt32, near reference: Int64) -> Int64 {
        let delta = Int32(bitPattern: value &- UInt32(truncatingIfNeeded: reference))
        return reference + Int64(delta)
    }
}
