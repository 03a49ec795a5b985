/// A parsed report descriptor: every Input/Output/Feature field with its report ID and bit offset,
/// the collection tree, and the declared length of each report.
///
/// Parsing follows HID 1.11 §6.2.2: all short items (main, global, local, Push/Pop, Delimiter),
/// long items skipped. Usage Page concatenation follows the Linux HID core: a Usage Page seen before
/// the Main item re-pages the trailing usages declared without an explicit page, so
/// `Usage(0x07) Usage Page(Button) Input` decodes as Button 7, as Linux and hid-tools do.
public struct HIDReportDescriptor: Sendable {
    /// Whether reports carry a leading report-ID byte.
    public var usesReportIDs: Bool
    public var fields: [HIDReportField]
    public var collections: [HIDCollection]
    /// Declared payload length in bits per (kind, report ID); the report-ID byte is not counted.
    var reportBits: [HIDReportKey: Int]

    /// Parses `bytes`; throws `HIDDescriptorError` for malformed input.
    public init(parsing bytes: some Collection<UInt8>) throws(HIDDescriptorError) {
        let array = Array(bytes)
        var parser = HIDDescriptorParser()
        let result = array.withUnsafeBytes { buffer in
            Result { () throws(HIDDescriptorError) -> HIDReportDescriptor in try parser.parse(buffer) }
        }
        self = try result.get()
    }

    init(usesReportIDs: Bool, fields: [HIDReportField], collections: [HIDCollection], reportBits: [HIDReportKey: Int]) {
        self.usesReportIDs = usesReportIDs
        self.fields = fields
        self.collections = collections
        self.reportBits = reportBits
    }

    /// Report IDs declared for `kind`, ascending.
    public func reportIDs(_ kind: HIDReportKind) -> [UInt8] {
        reportBits.keys.filter { $0.kind == kind }.map(\.reportID).sorted()
    }

    /// Declared payload bits of a report (0 when not declared).
    public func payloadBits(_ kind: HIDReportKind, reportID: UInt8) -> Int {
        reportBits[HIDReportKey(kind: kind, reportID: reportID)] ?? 0
    }

    /// Bytes on the wire for a report: the report-ID byte (when IDs are used) plus the payload
    /// rounded up to whole bytes. This is the length to `write` for an output report.
    public func reportLength(_ kind: HIDReportKind, reportID: UInt8) -> Int {
        (payloadBits(kind, reportID: reportID) + 7) / 8 + (usesReportIDs ? 1 : 0)
    }

    /// Largest input report on the wire, the read-buffer size a host needs.
    public var maxInputReportLength: Int {
        let bits = reportBits.filter { $0.key.kind == .input }.map(\.value).max() ?? 0
        return (bits + 7) / 8 + (usesReportIDs ? 1 : 0)
    }

    /// The top-level application collection of a field, if any.
    public func application(of field: HIDReportField) -> HIDCollection? {
        field.applicationCollection.map { collections[$0] }
    }

    /// Top-level application collections.
    public var applications: [HIDCollection] { collections.filter { $0.parent == nil && $0.isApplication } }
}

/// (kind, report ID) key of the report-length table.
struct HIDReportKey: Hashable, Sendable {
    var kind: HIDReportKind
    var reportID: UInt8
}
