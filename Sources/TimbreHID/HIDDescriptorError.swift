/// Why a report descriptor was rejected. Every malformed input ends here: the parser never traps and
/// never allocates in proportion to a count it read from the descriptor.
///
/// `offset` is the byte offset of the offending item's prefix byte in the descriptor.
public enum HIDDescriptorError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The descriptor is longer than `HIDDescriptorLimits.maxDescriptorBytes`.
    case descriptorTooLong(length: Int)
    /// A short item's data bytes run past the end of the descriptor.
    case truncatedItem(offset: Int)
    /// A long item's header or data run past the end of the descriptor.
    case truncatedLongItem(offset: Int)
    /// An End Collection with no open collection.
    case endCollectionWithoutCollection(offset: Int)
    /// The descriptor ended with collections still open.
    case unclosedCollection(openCount: Int)
    /// Collections nested deeper than `HIDDescriptorLimits.maxCollectionDepth`.
    case collectionNestingTooDeep(offset: Int)
    /// A Pop with nothing pushed.
    case popWithoutPush(offset: Int)
    /// More nested Pushes than `HIDDescriptorLimits.maxPushDepth`.
    case pushStackOverflow(offset: Int)
    /// Report Size above `HIDDescriptorLimits.maxReportSize` bits.
    case reportSizeTooLarge(bits: UInt32, offset: Int)
    /// Report Count above `HIDDescriptorLimits.maxReportCount`.
    case reportCountTooLarge(count: UInt32, offset: Int)
    /// A report grew beyond `HIDDescriptorLimits.maxReportBytes`.
    case reportTooLong(kind: HIDReportKind, reportID: UInt8, bits: Int)
    /// Report ID 0 is reserved (HID 1.11 §6.2.2.7).
    case reportIDZero(offset: Int)
    /// Report ID above 255 (it is one byte on the wire).
    case reportIDTooLarge(value: UInt32, offset: Int)
    /// A data field declared before the first Report ID in a descriptor that uses report IDs.
    case fieldWithoutReportID(offset: Int)
    /// More usages in one main item than `HIDDescriptorLimits.maxUsagesPerItem`.
    case tooManyUsages(offset: Int)
    /// Usage Minimum above Usage Maximum.
    case invalidUsageRange(offset: Int)
    /// More main data items than `HIDDescriptorLimits.maxFields`.
    case tooManyFields(offset: Int)
    /// A Delimiter close without open, or a nested open.
    case unbalancedDelimiter(offset: Int)
    /// A global item with a reserved tag (Linux rejects these too).
    case unknownGlobalItem(tag: UInt8, offset: Int)

    public var description: String {
        switch self {
        case .descriptorTooLong(let n): "descriptor of \(n) bytes exceeds \(HIDDescriptorLimits.maxDescriptorBytes)"
        case .truncatedItem(let o): "item at byte \(o) is truncated"
        case .truncatedLongItem(let o): "long item at byte \(o) is truncated"
        case .endCollectionWithoutCollection(let o): "End Collection at byte \(o) closes no collection"
        case .unclosedCollection(let n): "\(n) collection(s) left open at the end of the descriptor"
        case .collectionNestingTooDeep(let o): "collections nested too deep at byte \(o)"
        case .popWithoutPush(let o): "Pop at byte \(o) without a Push"
        case .pushStackOverflow(let o): "Push at byte \(o) nests deeper than \(HIDDescriptorLimits.maxPushDepth)"
        case .reportSizeTooLarge(let b, let o): "Report Size \(b) bits at byte \(o) exceeds \(HIDDescriptorLimits.maxReportSize)"
        case .reportCountTooLarge(let c, let o): "Report Count \(c) at byte \(o) exceeds \(HIDDescriptorLimits.maxReportCount)"
        case .reportTooLong(let k, let id, let b): "\(k) report \(id) of \(b) bits exceeds \(HIDDescriptorLimits.maxReportBytes) bytes"
        case .reportIDZero(let o): "Report ID 0 at byte \(o) is reserved"
        case .reportIDTooLarge(let v, let o): "Report ID \(v) at byte \(o) does not fit in a byte"
        case .fieldWithoutReportID(let o): "field at byte \(o) has no report ID in a descriptor that uses report IDs"
        case .tooManyUsages(let o): "more than \(HIDDescriptorLimits.maxUsagesPerItem) usages before byte \(o)"
        case .invalidUsageRange(let o): "Usage Minimum above Usage Maximum at byte \(o)"
        case .tooManyFields(let o): "more than \(HIDDescriptorLimits.maxFields) fields at byte \(o)"
        case .unbalancedDelimiter(let o): "unbalanced Delimiter at byte \(o)"
        case .unknownGlobalItem(let t, let o): "reserved global item tag \(t) at byte \(o)"
        }
    }
}

/// Bounds the parser enforces. They follow the Linux HID core where it has one (report size 256 bits,
/// 12288 usages, 16 KiB reports) so that every descriptor the kernel accepts is accepted here.
public enum HIDDescriptorLimits {
    /// USB's wDescriptorLength is 16 bits.
    public static let maxDescriptorBytes = 65_535
    /// Bits per control (Linux: 256).
    public static let maxReportSize: UInt32 = 256
    /// Controls per main item (Linux HID_MAX_USAGES).
    public static let maxReportCount: UInt32 = 12_288
    /// Bytes of one report without its ID byte (Linux HID_MAX_BUFFER_SIZE).
    public static let maxReportBytes = 16_384
    /// Usages listed for one main item (Linux HID_MAX_USAGES).
    public static let maxUsagesPerItem = 12_288
    /// Main data items (Input/Output/Feature) in one descriptor.
    public static let maxFields = 8_192
    /// Collection nesting.
    public static let maxCollectionDepth = 64
    /// Push nesting.
    public static let maxPushDepth = 32
}
