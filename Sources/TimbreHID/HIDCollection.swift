/// One Collection item and where it sits in the tree.
public struct HIDCollection: Sendable, Hashable {
    /// Collection type byte: 0 physical, 1 application, 2 logical, 3 report, 4 named array,
    /// 5 usage switch, 6 usage modifier, 0x80–0xFF vendor.
    public var type: UInt8
    /// The first usage declared before the Collection item (0:0 when none).
    public var usage: HIDUsage
    /// Index of the enclosing collection in `HIDReportDescriptor.collections`, nil at top level.
    public var parent: Int?
    /// Nesting depth, 0 for a top-level collection.
    public var depth: Int

    public static let applicationType: UInt8 = 1
    public var isApplication: Bool { type == Self.applicationType }
}
