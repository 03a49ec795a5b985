/// What a headset offers for call control, mapped from its report descriptor: the input controls and
/// LED/ringer outputs inside its Telephony application collections, with report IDs and bit positions.
///
/// Only controls a host can use are kept: data (not constant) fields; one entry per control bit of a
/// variable field; an array field contributes the named usages it can report. Vendor mirror pages
/// (Jabra 0xFF30/0xFF40, EPOS 0xFF13, Poly 0xFFA0) and separate Consumer Control collections are
/// ignored: the kernel input layer already turns those volume keys into KEY_VOLUMEUP/DOWN, and decoding
/// mirrors as well would count each press twice.
public struct TelephonyControls: Sendable {
    /// One usable input control.
    public struct Input: Sendable, Hashable {
        public var control: TelephonyInputControl
        public var reportID: UInt8
        /// Bits from the first payload bit (after the report-ID byte).
        public var bitOffset: Int
        public var bitSize: Int
        /// Absolute (a state) rather than relative (a one-shot press).
        public var absolute: Bool
        /// Preferred state absent: an absolute field with this flag is a toggle switch (HUT §3.4.1.2).
        public var noPreferredState: Bool
        public var usage: HIDUsage
        /// How the control's state is read from the report.
        public var match: Match
    }

    /// How to read one input's state.
    public enum Match: Sendable, Hashable {
        /// A variable control: asserted when its value is positive (1 of 0..1, +1 of −1..1).
        case variable(signed: Bool)
        /// A slot of an array field: asserted when any of `slots` slots holds `value`.
        case array(value: Int64, slots: Int, signed: Bool)
    }

    /// One usable output (LED or ringer) bit.
    public struct Output: Sendable, Hashable {
        public var control: TelephonyOutputControl
        public var reportID: UInt8
        public var bitOffset: Int
        public var bitSize: Int
        public var logicalMinimum: Int64
        public var logicalMaximum: Int64
        public var usage: HIDUsage
        /// Always true for the LED page in practice; kept for `decode`.
        public var absolute: Bool
    }

    /// An output report the host writes whole.
    public struct OutputReport: Sendable, Hashable {
        public var reportID: UInt8
        /// Bytes on the wire, report-ID byte included when IDs are used.
        public var length: Int
        /// Indices into `outputs` of the telephony outputs this report carries.
        public var outputIndices: [Int]
    }

    public var usesReportIDs: Bool
    public var inputs: [Input]
    public var outputs: [Output]
    public var outputReports: [OutputReport]
    /// Whether the descriptor has a Telephony application collection at all.
    public var hasTelephonyCollection: Bool
    /// Wire length of the largest input report (read-buffer size).
    public var maxInputReportLength: Int
    /// Wire length of each input report ID (index = ID); 0 when not declared.
    public var inputReportLengths: [Int]
    /// Features a host writes on open, e.g. Jabra's 0xFF30:0xFFFF = 0 that selects standard
    /// (USB.org) reporting instead of the GN pages. Each is a whole feature report, ID first.
    public var openFeatureReports: [[UInt8]]

    /// Inputs grouped by report ID, for the per-report decode: `inputRange[id]` indexes `inputs`.
    @usableFromInline var inputStart: [UInt16]
    @usableFromInline var inputCount: [UInt16]
    /// Input controls that are absolute, by control.
    public var absoluteControls: TelephonyControlSet

    /// Whether the headset offers something for call control: a hook switch or phone mute input, or a
    /// LED output (a Telephony collection that is empty or constant does not count).
    public var isUsable: Bool {
        inputs.contains { $0.control == .hookSwitch || $0.control == .phoneMute } || !outputs.isEmpty
    }

    public init(_ descriptor: HIDReportDescriptor) {
        usesReportIDs = descriptor.usesReportIDs
        var inputs: [Input] = []
        var outputs: [Output] = []
        var telephony = false
        for collection in descriptor.collections
        where collection.parent == nil && collection.isApplication && collection.usage.page == HIDUsagePage.telephony {
            telephony = true
        }
        hasTelephonyCollection = telephony
        for field in descriptor.fields where !field.isConstant && field.reportSize > 0 {
            guard let app = field.applicationCollection,
                descriptor.collections[app].usage.page == HIDUsagePage.telephony,
                descriptor.collections[app].isApplication
            else { continue }
            let signed = field.logicalMinimum < 0
            let absolute = !field.isRelative
            let noPreferred = field.flags.contains(.noPreferredState)
            switch field.kind {
            case .input:
                for (slot, usage) in Self.namedSlots(field, TelephonyInputControl.candidateUsages) {
                    guard let control = TelephonyInputControl(usage: usage) else { continue }
                    if field.isVariable {
                        guard slot < field.reportCount else { continue }
                        inputs.append(
                            Input(
                                control: control, reportID: field.reportID,
                                bitOffset: field.bitOffset + slot * field.reportSize, bitSize: field.reportSize,
                                absolute: absolute, noPreferredState: noPreferred, usage: usage,
                                match: .variable(signed: signed)))
                    } else {
                        // Array: asserted when a slot holds the usage's index. Value 0 of a 0-based
                        // array means "nothing pressed", the universal array convention (EPOS lists
                        // Programmable Button, Button 1 over 0..1 and sends 1 for the key).
                        let value = field.logicalMinimum + Int64(slot)
                        guard value != 0, value <= field.logicalMaximum, field.reportCount > 0,
                            !inputs.contains(where: {
                                $0.control == control && $0.reportID == field.reportID && $0.bitOffset == field.bitOffset
                            })
                        else { continue }
                        inputs.append(
                            Input(
                                control: control, reportID: field.reportID, bitOffset: field.bitOffset,
                                bitSize: field.reportSize, absolute: absolute, noPreferredState: noPreferred,
                                usage: usage, match: .array(value: value, slots: field.reportCount, signed: signed)))
                    }
                }
            case .output:
                guard field.isVariable else { continue }
                for (slot, usage) in Self.namedSlots(field, TelephonyOutputControl.candidateUsages)
                where slot < field.reportCount {
                    guard let control = TelephonyOutputControl(usage: usage) else { continue }
                    outputs.append(
                        Output(
                            control: control, reportID: field.reportID, bitOffset: field.bitOffset + slot * field.reportSize,
                            bitSize: min(field.reportSize, 32), logicalMinimum: field.logicalMinimum,
                            logicalMaximum: field.logicalMaximum, usage: usage, absolute: absolute))
                }
            case .feature:
                continue
            }
        }
        // Stable order: by report ID, then bit offset.
        inputs = inputs.enumerated().sorted {
            ($0.element.reportID, $0.element.bitOffset, $0.offset) < ($1.element.reportID, $1.element.bitOffset, $1.offset)
        }.map(\.element)
        outputs = outputs.enumerated().sorted {
            ($0.element.reportID, $0.element.bitOffset, $0.offset) < ($1.element.reportID, $1.element.bitOffset, $1.offset)
        }.map(\.element)
        self.inputs = inputs
        self.outputs = outputs

        var reports: [OutputReport] = []
        for (index, output) in outputs.enumerated() {
            if let last = reports.indices.last, reports[last].reportID == output.reportID {
                reports[last].outputIndices.append(index)
            } else {
                reports.append(
                    OutputReport(
                        reportID: output.reportID, length: descriptor.reportLength(.output, reportID: output.reportID),
                        outputIndices: [index]))
            }
        }
        outputReports = reports

        var start = [UInt16](repeating: 0, count: 256)
        var count = [UInt16](repeating: 0, count: 256)
        var absolute = TelephonyControlSet()
        for (index, input) in inputs.enumerated() {
            let id = Int(input.reportID)
            if count[id] == 0 { start[id] = UInt16(index) }
            count[id] += 1
            if input.absolute { absolute.insert(TelephonyControlSet(input.control)) }
        }
        inputStart = start
        inputCount = count
        absoluteControls = absolute
        maxInputReportLength = max(descriptor.maxInputReportLength, 1)
        var lengths = [Int](repeating: 0, count: 256)
        for id in descriptor.reportIDs(.input) {
            lengths[Int(id)] = descriptor.reportLength(.input, reportID: id)
        }
        inputReportLengths = lengths

        // Jabra standard-mode feature (vendor 0xFF30:0xFFFF), written as 0.
        var features: [[UInt8]] = []
        for field in descriptor.fields where field.kind == .feature && !field.isConstant {
            guard field.usages.contains(where: { $0.contains(HIDUsage(page: 0xFF30, id: 0xFFFF)) }) else { continue }
            let length = descriptor.reportLength(.feature, reportID: field.reportID)
            var report = [UInt8](repeating: 0, count: max(length, 1))
            if descriptor.usesReportIDs { report[0] = field.reportID }
            if !features.contains(report) { features.append(report) }
        }
        openFeatureReports = features
    }

    /// (usage index, usage) of each candidate usage a field lists. Cost is ranges × candidates, never
    /// the number of usages a range spans, so a hostile Usage Minimum/Maximum stays cheap.
    static func namedSlots(_ field: HIDReportField, _ candidates: [HIDUsage]) -> [(Int, HIDUsage)] {
        var result: [(Int, HIDUsage)] = []
        var base = 0
        for range in field.usages {
            for usage in candidates where range.contains(usage) {
                result.append((base + Int(usage.extended - range.first), usage))
            }
            base += range.count
        }
        return result.sorted { $0.0 < $1.0 }
    }

    /// Parses `bytes` and maps them.
    public init(descriptor bytes: some Collection<UInt8>) throws(HIDDescriptorError) {
        self.init(try HIDReportDescriptor(parsing: bytes))
    }

    /// Whether any telephony input lives in report `reportID`.
    @inlinable
    public func hasInputs(reportID: UInt8) -> Bool { inputCount[Int(reportID)] != 0 }

    /// Reads which controls a report asserts. `report` is the report as `read()` returns it (ID byte
    /// first when IDs are used). Returns nil for reports without telephony inputs (vendor, Teams…).
    ///
    /// Allocation-free; cost is proportional to the number of telephony inputs in that report.
    @inlinable
    public func assertedControls(in report: UnsafeRawBufferPointer) -> (reportID: UInt8, controls: TelephonyControlSet)? {
        guard !report.isEmpty else { return nil }
        let id: UInt8 = usesReportIDs ? report[0] : 0
        let count = Int(inputCount[Int(id)])
        guard count != 0 else { return nil }
        let payload = usesReportIDs ? UnsafeRawBufferPointer(rebasing: report[1...]) : report
        var set = TelephonyControlSet()
        let start = Int(inputStart[Int(id)])
        for i in start..<(start + count) {
            let input = inputs[i]
            if input.isAsserted(in: payload) { set.insert(TelephonyControlSet(input.control)) }
        }
        return (id, set)
    }

    /// Outputs of `control`.
    public func outputs(_ control: TelephonyOutputControl) -> [Output] { outputs.filter { $0.control == control } }
}

extension TelephonyControls.Input {
    @inlinable
    func isAsserted(in payload: UnsafeRawBufferPointer) -> Bool {
        switch match {
        case .variable(let signed):
            let raw = HIDBits.read(payload, bitOffset: bitOffset, bitCount: min(bitSize, 32))
            if !signed || bitSize >= 32 { return raw != 0 && (signed ? Int32(bitPattern: raw) > 0 : true) }
            let shift = UInt32(32 - bitSize)
            return (Int32(bitPattern: raw << shift) >> Int32(shift)) > 0
        case .array(let value, let slots, let signed):
            let size = min(bitSize, 32)
            for slot in 0..<slots {
                let raw = HIDBits.read(payload, bitOffset: bitOffset + slot * bitSize, bitCount: size)
                var v = Int64(raw)
                if signed, size < 32 {
                    let shift = UInt32(32 - size)
                    v = Int64(Int32(bitPattern: raw << shift) >> Int32(shift))
                }
                if v == value { return true }
            }
            return false
        }
    }
}
