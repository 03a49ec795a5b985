/// The data bits of an Input, Output or Feature item (HID 1.11 §6.2.2.5). A clear bit means the
/// first alternative: Data, Array, Absolute, No Wrap, Linear, Preferred State, No Null, Non Volatile,
/// Bit Field.
public struct HIDMainItemFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let constant = HIDMainItemFlags(rawValue: 1 << 0)
    public static let variable = HIDMainItemFlags(rawValue: 1 << 1)
    public static let relative = HIDMainItemFlags(rawValue: 1 << 2)
    public static let wrap = HIDMainItemFlags(rawValue: 1 << 3)
    public static let nonLinear = HIDMainItemFlags(rawValue: 1 << 4)
    public static let noPreferredState = HIDMainItemFlags(rawValue: 1 << 5)
    public static let nullState = HIDMainItemFlags(rawValue: 1 << 6)
    /// Output and Feature only (bit 7 is reserved for Input).
    public static let volatile = HIDMainItemFlags(rawValue: 1 << 7)
    public static let bufferedBytes = HIDMainItemFlags(rawValue: 1 << 8)
}
