/// One reception report block (RFC 3550 §6.4.1), 24 bytes on the wire, describing what we
/// received from one source.
public struct RTCPReportBlock: Hashable, Sendable {
    /// The source this block reports on.
    public var ssrc: UInt32
    /// Fraction of packets lost since the previous report, in units of 1/256.
    public var fractionLost: UInt8
    /// Cumulative packets lost, a signed 24-bit value (-8388608...8388607); negative with
    /// duplicates.
    public var cumulativeLost: Int32
    /// Extended highest sequence number received (cycles << 16 | highest sequence number).
    public var extendedHighestSequence: UInt32
    /// Interarrival jitter in RTP timestamp units.
    public var jitter: UInt32
    /// Middle 32 bits of the NTP timestamp of the last SR received from this source (LSR), or 0.
    public var lastSenderReport: UInt32
    /// Delay since receiving that SR (DLSR), in units of 1/65536 s.
    public var delaySinceLastSenderReport: UInt32

    public static let size = 24

    public init(
        ssrc: UInt32, fractionLost: UInt8 = 0, cumulativeLost: Int32 = 0, extendedHighestSequence: UInt32 = 0,
        jitter: UInt32 = 0, lastSenderReport: UInt32 = 0, delaySinceLastSenderReport: UInt32 = 0
    ) {
        self.ssrc = ssrc
        self.fractionLost = fractionLost
        self.cumulativeLost = min(max(cumulativeLost, -0x80_0000), 0x7F_FFFF)
        self.extendedHighestSequence = extendedHighestSequence
        self.jitter = jitter
        self.lastSenderReport = lastSenderReport
        self.delaySinceLastSenderReport = delaySinceLastSenderReport
    }

    /// Round-trip time to the source that sent this block back to us, in units of 1/65536 s
    /// (RFC 3550 §6.4.1: A − LSR − DLSR), where `arrival` is the middle 32 bits of our NTP clock
    /// when the block arrived. Nil when the peer has not seen an SR of ours (LSR 0) or the result
    /// is negative (clock confusion).
    public func roundTrip(arrivalMiddle32 arrival: UInt32) -> UInt32? {
        guard lastSenderReport != 0 else { return nil }
        let rtt = arrival &- lastSenderReport &- delaySinceLastSenderReport
        guard Int32(bitPattern: rtt) >= 0 else { return nil }
        return rtt
    }

    /// Round-trip time in seconds (see `roundTrip(arrivalMiddle32:)`).
    public func roundTripSeconds(arrivalMiddle32 arrival: UInt32) -> Double? {
        roundTrip(arrivalMiddle32: arrival).map { Double($0) / 65536.0 }
    }

    init(reading b: UnsafeRawBufferPointer, at o: Int) {
        ssrc = BigEndianBytes.u32(b, o)
        fractionLost = b[o + 4]
        let raw = UInt32(b[o + 5]) << 16 | UInt32(b[o + 6]) << 8 | UInt32(b[o + 7])
        cumulativeLost = Int32(bitPattern: raw << 8) >> 8  // sign-extend 24 bits
        extendedHighestSequence = BigEndianBytes.u32(b, o + 8)
        jitter = BigEndianBytes.u32(b, o + 12)
        lastSenderReport = BigEndianBytes.u32(b, o + 16)
        delaySinceLastSenderReport = BigEndianBytes.u32(b, o + 20)
    }

    func write(into b: UnsafeMutableRawBufferPointer, at o: Int) {
        BigEndianBytes.put32(b, o, ssrc)
        let lost = UInt32(bitPattern: cumulativeLost) & 0xFF_FFFF
        BigEndianBytes.put32(b, o + 4, UInt32(fractionLost) << 24 | lost)
        BigEndianBytes.put32(b, o + 8, extendedHighestSequence)
        BigEndianBytes.put32(b, o + 12, jitter)
        BigEndianBytes.put32(b, o + 16, lastSenderReport)
        BigEndianBytes.put32(b, o + 20, delaySinceLastSenderReport)
    }
}
