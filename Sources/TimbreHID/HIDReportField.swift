/// One Input, Output or Feature main item: `reportCount` controls of `reportSize` bits each, starting at
/// `bitOffset` bits from the first payload bit of report `reportID` (the report-ID byte excluded).
///
/// Usages are kept as ranges (a Usage Minimum/Maximum pair is one entry), so a descriptor cannot make
/// the parser expand 65536 usages per item.
public struct HIDReportField: Sendable, Hashable {
    public var kind: HIDReportKind
    /// 0 when the descriptor uses no report IDs.
    public var reportID: UInt8
    /// Bits from the first payload bit of the report.
    public var bitOffset: Int
    /// Bits per control.
    public var reportSize: Int
    /// Number of controls (variables) or slots (arrays).
    public var reportCount: Int
    public var flags: HIDMainItemFlags
    public var logicalMinimum: Int64
    public var logicalMaximum: Int64
    public var physicalMinimum: Int64
    public var physicalMaximum: Int64
    /// Unit exponent (HID 1.11 §6.2.2.7, a 4-bit signed nibble in practice; kept as sent).
    public var unitExponent: Int32
    /// Unit system and exponents, as sent.
    public var unit: UInt32
    /// Usages in declaration order, each entry a contiguous run of extended usages.
    public var usages: [HIDUsageRange]
    /// Innermost enclosing collection (index into `HIDReportDescriptor.collections`).
    public var collection: Int?
    /// Top-level application collection that holds this field.
    public var applicationCollection: Int?
    /// Byte offset of the main item in the descriptor.
    public var itemOffset: Int

    public var isConstant: Bool { flags.contains(.constant) }
    public var isVariable: Bool { flags.contains(.variable) }
    public var isRelative: Bool { flags.contains(.relative) }
    public var bitLength: Int { reportSize * reportCount }

    /// Total number of usages listed.
    public var usageCount: Int { usages.reduce(0) { $0 + $1.count } }

    /// The usage of control `index` of a variable field, or of array index `index` (value minus
    /// logical minimum) of an array field. For variables, controls past the list take the last usage
    /// (HID 1.11 §6.2.2.8). Nil when the field lists no usage or an array index is out of range.
    public func usage(at index: Int) -> HIDUsage? {
        guard index >= 0, !usages.isEmpty else { return nil }
        var remaining = index
        for range in usages {
            if remaining < range.count {
                return HIDUsage(extended: range.first &+ UInt32(remaining))
            }
            remaining -= range.count
        }
        return isVariable ? HIDUsage(extended: usages[usages.count - 1].last) : nil
    }

    /// Reads control/slot `index` from `payload` (bytes after the report ID), sign-extended when the
    /// logical minimum is negative. Bits past the end of a short report read as 0. Controls wider than
    /// 32 bits are read as their low 32 bits.
    @inlinable
    public func value(at index: Int, in payload: UnsafeRawBufferPointer) -> Int64 {
        let size = min(reportSize, 32)
        let raw = HIDBits.read(payload, bitOffset: bitOffset + index * reportSize, bitCount: size)
        if logicalMinimum < 0, size > 0, size < 64 {
            let shift = UInt64(64 - size)
            return Int64(bitPattern: UInt64(raw) << shift) >> shift
        }
        return Int64(raw)
    }
}

/// A run of consecutive extended usages (page << 16 | id), inclusive.
public struct HIDUsageRange: Sendable, Hashable {
    public var first: UInt32
    public var last: UInt32
    /// Whether the page came from a 4-byte (extended) usage item rather than the Usage Page.
    public var explicitPage: Bool

    public init(first: UInt32, last: UInt32, explicitPage: Bool = false) {
        self.first = first
        self.last = last
        self.explicitPage = explicitPage
    }

    public var count: Int { Int(last &- first) + 1 }

    public func contains(_ usage: HIDUsage) -> Bool {
        usage.extended >= first && usage.extended <= last
    }
}

/// Little-endian bit extraction as HID lays reports out (bit 0 = least significant bit of byte 0).
public enum HIDBits {
    /// Reads `bitCount` (≤ 32) bits at `bitOffset`; bits beyond the buffer read as 0.
    @inlinable
    public static func read(_ bytes: UnsafeRawBufferPointer, bitOffset: Int, bitCount: Int) -> UInt32 {
        if bitCount == 1 {
            let byte = bitOffset >> 3
            guard byte < bytes.count else { return 0 }
            return UInt32((bytes[byte] >> UInt8(bitOffset & 7)) & 1)
        }
        var result: UInt64 = 0
        var got = 0
        var bit = bitOffset
        while got < bitCount {
            let byte = bit >> 3
            let shift = bit & 7
            let take = min(8 - shift, bitCount - got)
            if byte < bytes.count {
                let chunk = (UInt64(bytes[byte]) >> UInt64(shift)) & ((1 << UInt64(take)) - 1)
                result |= chunk << UInt64(got)
            }
            got += take
            bit += take
        }
        return UInt32(truncatingIfNeeded: result)
    }

    /// Writes the low `bitCount` (≤ 32) bits of `value` at `bitOffset`; bits beyond the buffer are dropped.
    @inlinable
    public static func write(_ value: UInt32, into bytes: UnsafeMutableRawBufferPointer, bitOffset: Int, bitCount: Int) {
        var got = 0
        var bit = bitOffset
        while got < bitCount {
            let byte = bit >> 3
            let shift = bit & 7
            let take = min(8 - shift, bitCount - got)
            if byte < bytes.count {
                let mask = UInt8(truncatingIfNeeded: ((1 << take) - 1) << shift)
                let chunk = UInt8(truncatingIfNeeded: (UInt64(value) >> UInt64(got)) << UInt64(shift)) & mask
                bytes[byte] = (bytes[byte] & ~mask) | chunk
            }
            got += take
            bit += take
        }
    }
}
