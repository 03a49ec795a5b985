/// A usage: page (high 16 bits) and ID (low 16 bits), as HID's 32-bit extended usage.
public struct HIDUsage: Hashable, Sendable, CustomStringConvertible {
    public var page: UInt16
    public var id: UInt16

    public init(page: UInt16, id: UInt16) {
        self.page = page
        self.id = id
    }

    /// From the 32-bit extended form (page << 16 | id).
    public init(extended: UInt32) {
        self.page = UInt16(truncatingIfNeeded: extended >> 16)
        self.id = UInt16(truncatingIfNeeded: extended)
    }

    public var extended: UInt32 { UInt32(page) << 16 | UInt32(id) }

    public var description: String {
        "0x" + Self.hex(page) + ":0x" + Self.hex(id)
    }

    static func hex(_ v: UInt16) -> String {
        let s = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - s.count)) + s
    }
}

/// Usage pages Timbre looks at (HUT 1.5).
public enum HIDUsagePage {
    public static let genericDesktop: UInt16 = 0x01
    public static let led: UInt16 = 0x08
    public static let button: UInt16 = 0x09
    public static let telephony: UInt16 = 0x0B
    public static let consumer: UInt16 = 0x0C
}
