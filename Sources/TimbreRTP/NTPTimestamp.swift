/// A 64-bit NTP timestamp (seconds since 1 Jan 1900 and a binary fraction), as RTCP sender
/// reports carry it (RFC 3550 §4).
public struct NTPTimestamp: Hashable, Sendable, Comparable {
    public var seconds: UInt32
    /// Fraction of a second in units of 2^-32 s.
    public var fraction: UInt32

    public init(seconds: UInt32, fraction: UInt32) {
        self.seconds = seconds
        self.fraction = fraction
    }

    /// From a time in seconds since the NTP epoch (wraps modulo 2^32 s, as the wire format does).
    public init(secondsSince1900 t: Double) {
        let whole = t.rounded(.down)
        seconds = UInt32(truncatingIfNeeded: Int64(whole))
        fraction = UInt32(truncatingIfNeeded: Int64(((t - whole) * 4_294_967_296.0).rounded(.down)))
    }

    /// Seconds between the NTP epoch (1900) and the Unix epoch (1970).
    public static let unixEpochOffset: UInt32 = 2_208_988_800

    /// The middle 32 bits (16.16 fixed point seconds) used by LSR and DLSR.
    public var middle32: UInt32 { seconds << 16 | fraction >> 16 }

    public static func < (a: NTPTimestamp, b: NTPTimestamp) -> Bool {
        (a.seconds, a.fraction) < (b.seconds, b.fraction)
    }
}
