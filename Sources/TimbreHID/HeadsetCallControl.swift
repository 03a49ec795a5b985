/// The call-control state machine for one headset: input reports in, call-control events out (applied
/// to the shared `HostState`), and the output reports that make the headset's LEDs and ringer follow
/// the host state.
///
/// Rules (the "Host behaviour"):
/// - An event is a 0→1 change of a control against the previous report with the same ID; a release
///   and an identical repeat produce nothing; reports without telephony inputs produce nothing.
/// - Absolute Hook Switch: 0→1 while ringing answers, 1→0 while a call is up hangs up; a change that
///   matches the Off-Hook the host commanded is the headset's echo, not an event. Relative hook: a
///   press answers while ringing and hangs up while a call is up.
/// - Phone Mute toggles the host mute. Flash: active → hold, held → resume, waiting → answer-waiting,
///   otherwise a plain flash. Programmable Button or Drop rejects while ringing; Drop hangs up a call.
/// - Edges of one control within `policy.debounceNanoseconds` of its previous edge are bounce.
///
/// `handleInput` is allocation-free: previous states live in a fixed 256-entry table.
public struct HeadsetCallControl: Sendable {
    public let controls: TelephonyControls
    public var policy: CallControlPolicy
    /// Controls asserted in the previous report of each ID.
    var previous: [TelephonyControlSet]
    /// Time of the last edge of each control (ns), and which controls have one.
    var lastEdge: [UInt64]
    var hasEdge = TelephonyControlSet()
    /// Bytes last written per output report (index of `controls.outputReports`); nil = unknown, so
    /// the next `pendingWrites` writes it whatever it holds.
    var written: [[UInt8]?]

    /// One output report the host should write.
    public struct Write: Sendable, Hashable {
        public var reportID: UInt8
        /// The whole report, report-ID byte first when the descriptor uses IDs.
        public var bytes: [UInt8]
        /// The indicators the report carries, with the state written (`.microphone` is folded into `.mute`).
        public var indicators: [(control: TelephonyOutputControl, on: Bool)]

        public static func == (a: Write, b: Write) -> Bool { a.reportID == b.reportID && a.bytes == b.bytes }
        public func hash(into hasher: inout Hasher) {
            hasher.combine(reportID)
            hasher.combine(bytes)
        }
    }

    /// - Parameter assumeIdleWritten: start as if the idle state (all indicators off) had been written,
    ///   so only changes produce writes. A live device passes false: it gets a full write on open.
    public init(controls: TelephonyControls, policy: CallControlPolicy = CallControlPolicy(), assumeIdleWritten: Bool = false) {
        self.controls = controls
        self.policy = policy
        self.previous = [TelephonyControlSet](repeating: [], count: 256)
        self.lastEdge = [UInt64](repeating: 0, count: TelephonyInputControl.allCases.count)
        self.written = controls.outputReports.map { report in
            assumeIdleWritten ? Self.encode(report, controls: controls, HeadsetIndicators()) : nil
        }
    }

    /// Forget what was written: the next `pendingWrites` writes every output report (open, re-plug,
    /// resume).
    public mutating func invalidateOutputs() {
        for i in written.indices { written[i] = nil }
    }

    /// Take `report` as the baseline for its ID without producing events (e.g. the first report after
    /// open, when a headset already shows off-hook).
    public mutating func takeBaseline(_ report: UnsafeRawBufferPointer) {
        if let (id, set) = controls.assertedControls(in: report) { previous[Int(id)] = set }
    }

    /// Interprets one input report (as `read()` returns it) at `now` (monotonic ns), applies the
    /// resulting events to `host` and returns them in order.
    public mutating func handleInput(_ report: UnsafeRawBufferPointer, at now: UInt64, host: inout HostState)
        -> CallControlEventList
    {
        var events = CallControlEventList()
        guard let (id, current) = controls.assertedControls(in: report) else { return events }
        let before = previous[Int(id)]
        previous[Int(id)] = current
        let changed = TelephonyControlSet(rawValue: before.rawValue ^ current.rawValue)
        guard !changed.isEmpty else { return events }
        for control in Self.order where changed.contains(control) {
            let rising = current.contains(control)
            if hasEdge.contains(control), now &- lastEdge[control.rawValue] < policy.debounceNanoseconds {
                lastEdge[control.rawValue] = now
                continue
            }
            lastEdge[control.rawValue] = now
            hasEdge.insert(TelephonyControlSet(control))
            guard let event = decide(control, rising: rising, host: host) else { continue }
            host.apply(event)
            events.append(event)
        }
        return events
    }

    /// Controls in the order one report's changes are handled: the hook first, so that a report
    /// carrying hook and mute together answers before it mutes.
    static let order: [TelephonyInputControl] = [
        .hookSwitch, .drop, .programmableButton, .flash, .phoneMute, .consumerMute, .redial, .volumeUp, .volumeDown,
        .lineBusyTone,
    ]

    func decide(_ control: TelephonyInputControl, rising: Bool, host: HostState) -> CallControlEvent? {
        switch control {
        case .hookSwitch:
            let absolute = controls.absoluteControls.contains(.hookSwitch) && !policy.hookIsToggle
            if absolute {
                // The commanded Off-Hook is the host state's: an edge towards it is the echo.
                if rising { return host.call == .ringing ? .answer : nil }
                return host.call.hasCall ? .hangUp : nil
            }
            guard rising else { return nil }
            if host.call == .ringing { return .answer }
            return host.call.hasCall ? .hangUp : nil
        case .phoneMute, .consumerMute:
            if control == .phoneMute && policy.phoneMuteIsSwitch {
                if rising { return host.muted ? nil : .mute }
                return host.muted ? .unmute : nil
            }
            guard rising else { return nil }
            return host.muted ? .unmute : .mute
        case .flash:
            guard rising else { return nil }
            switch host.call {
            case .active: return .hold
            case .held: return .resume
            case .waiting: return .answerWaiting
            case .idle, .ringing: return .flash
            }
        case .programmableButton:
            return rising && host.call == .ringing ? .reject : nil
        case .drop:
            guard rising else { return nil }
            if host.call == .ringing { return .reject }
            return host.call.hasCall ? .hangUp : nil
        case .redial: return rising ? .redial : nil
        case .volumeUp: return rising ? .volumeUp : nil
        case .volumeDown: return rising ? .volumeDown : nil
        case .lineBusyTone: return nil  // Information ("some app is in a call"), never a command.
        }
    }

    /// The output reports whose bytes differ from what was last written for `host`, each the whole
    /// declared report with every bit recomputed. Marks them written.
    public mutating func pendingWrites(for host: HostState) -> [Write] {
        let indicators = host.indicators(audibleRinger: policy.audibleRinger)
        var writes: [Write] = []
        for (index, report) in controls.outputReports.enumerated() {
            let bytes = Self.encode(report, controls: controls, indicators)
            guard written[index] != bytes else { continue }
            written[index] = bytes
            writes.append(Write(reportID: report.reportID, bytes: bytes, indicators: Self.carried(report, controls, indicators)))
        }
        return writes
    }

    static func carried(_ report: TelephonyControls.OutputReport, _ controls: TelephonyControls, _ indicators: HeadsetIndicators)
        -> [(control: TelephonyOutputControl, on: Bool)]
    {
        var result: [(control: TelephonyOutputControl, on: Bool)] = []
        for control in [TelephonyOutputControl.offHook, .ring, .mute, .hold] {
            let present = report.outputIndices.contains { index in
                let c = controls.outputs[index].control
                return c == control || (control == .mute && c == .microphone)
            }
            if present { result.append((control, indicators.isOn(control))) }
        }
        return result
    }

    /// Encodes a whole output report: ID byte (when used), then every telephony output set from
    /// `indicators`, every other bit 0.
    static func encode(_ report: TelephonyControls.OutputReport, controls: TelephonyControls, _ indicators: HeadsetIndicators)
        -> [UInt8]
    {
        var bytes = [UInt8](repeating: 0, count: max(report.length, controls.usesReportIDs ? 1 : 0))
        if controls.usesReportIDs { bytes[0] = report.reportID }
        let start = controls.usesReportIDs ? 1 : 0
        bytes.withUnsafeMutableBytes { raw in
            let payload = UnsafeMutableRawBufferPointer(rebasing: raw[start...])
            for index in report.outputIndices {
                let output = controls.outputs[index]
                let on = indicators.isOn(output.control)
                let range = output.logicalMinimum...max(output.logicalMinimum, output.logicalMaximum)
                let value: Int64 = on ? (range.contains(1) ? 1 : range.upperBound) : (range.contains(0) ? 0 : range.lowerBound)
                HIDBits.write(UInt32(truncatingIfNeeded: value), into: payload, bitOffset: output.bitOffset, bitCount: output.bitSize)
            }
        }
        return bytes
    }
}
