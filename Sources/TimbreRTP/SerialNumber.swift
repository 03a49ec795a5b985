/// Wrap-around comparisons for RTP sequence numbers (mod 2^16) and timestamps (mod 2^32), in the
/// sense of RFC 1982 serial number arithmetic: `b` is "newer" than `a` when it lies less than half
/// the number space ahead of it.
public enum SerialNumber {
    /// Signed distance from `a` to `b` (`b - a`) in -32768...32767 packets.
    @inlinable @inline(__always)
    public static func distance(from a: UInt16, to b: UInt16) -> Int {
        Int(Int16(bitPattern: b &- a))
    }

    /// Signed distance from `a` to `b` (`b - a`) in RTP ticks, -2^31...2^31-1.
    @inlinable @inline(__always)
    public static func distance(from a: UInt32, to b: UInt32) -> Int {
        Int(Int32(bitPattern: b &- a))
    }

    /// Whether `b` comes after `a` (strictly).
    @inlinable @inline(__always)
    public static func isNewer(_ b: UInt16, than a: UInt16) -> Bool { distance(from: a, to: b) > 0 }

    /// Whether `b` comes after `a` (strictly).
    @inlinable @inline(__always)
    public static func isNewer(_ b: UInt32, than a: UInt32) -> Bool { distance(from: a, to: b) > 0 }
}

/// Extends 16-bit RTP sequence numbers to a monotonic-ish 64-bit count (the "extended sequence
/// number" of RFC 3550 with unbounded cycles).
///
/// Each value is placed at the extended number nearest to the newest one seen, so reordered
/// packets from before a wrap unwrap below it and packets after a wrap above it. The first value
/// maps to itself. Allocation-free, O(1).
public struct SequenceNumberUnwrapper: Hashable, Sendable {
    @usableFromInline var last: Int64?

    public init() {}

    /// The highest extended value returned so far, or nil before the first.
    @inlinable public var highest: Int64? { last }

    /// Unwraps `value` and remembers it if it is the newest.
    @inlinable
    public mutating func unwrap(_ value: UInt16) -> Int64 {
        guard let last else {
            self.last = Int64(value)
            return Int64(value)
        }
        let lastRaw = UInt16(truncatingIfNeeded: last)
        let extended = last + Int64(SerialNumber.distance(from: lastRaw, to: value))
        if extended > last { self.last = extended }
        return extended
    }

    /// Forgets history (SSRC change or resync).
    public mutating func reset() { last = nil }
}

/// Extends 32-bit RTP timestamps to 64-bit tick counts, as `SequenceNumberUnwrapper` does for
/// sequence numbers. Valid while consecutive values are less than 2^31 ticks apart (about 12
/// hours at 48 kHz).
public struct TimestampUnwrapper: Hashable, Sendable {
    @usableFromInline var last: Int64?

    public init() {}

    @inlinable public var highest: Int64? { last }

    @inlinable
    public mutating func unwrap(_ value: UInt32) -> Int64 {
        guard let last else {
            self.last = Int64(value)
            return Int64(value)
        }
        let lastRaw = UInt32(truncatingIfNeeded: last)
        let extended = last + Int64(SerialNumber.distance(from: lastRaw, to: value))
        if extended > last { self.last = extended }
        return extended
    }

    public mutating func reset() { last = nil }
}
