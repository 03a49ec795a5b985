/// Replays a script of input reports and host state changes through the same parser and state
/// machine as the live path (`timbre headset replay`).
///
/// Script lines: one input report as space-separated hex bytes (report ID first when the descriptor
/// uses IDs); `host: ringing|active|held|idle|waiting|mute on|mute off`; `#` comments and blank
/// lines. Reports are taken as 1 s apart, so debounce never merges separate lines.
public struct CallControlReplay: Sendable {
    /// One parsed script line.
    public enum Step: Sendable, Hashable {
        case report([UInt8])
        case host(HostCommand)
    }

    public enum HostCommand: Sendable, Hashable {
        case call(HostCallState)
        case mute(Bool)
    }

    /// What the host would see and do, in order.
    public enum Output: Sendable, Hashable {
        case event(CallControlEvent)
        case write(HeadsetCallControl.Write)
    }

    /// A script line that is neither a report, a host line nor a comment.
    public struct ScriptError: Error, Equatable, Sendable, CustomStringConvertible {
        public var line: Int
        public var reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    /// Longest report line accepted (bytes): the largest report hidraw can deliver.
    public static let maxReportBytes = HIDDescriptorLimits.maxReportBytes + 1

    public static func parse(_ text: String) throws(ScriptError) -> [Step] {
        var steps: [Step] = []
        var number = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            var line = Substring(rawLine)
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let trimmed = line.trimmingWhitespace()
            if trimmed.isEmpty { continue }
            if trimmed.lowercased().hasPrefix("host:") {
                let value = trimmed.dropFirst(5).trimmingWhitespace().lowercased()
                    .split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
                switch value {
                case "mute on": steps.append(.host(.mute(true)))
                case "mute off": steps.append(.host(.mute(false)))
                default:
                    guard let state = HostCallState(rawValue: value) else {
                        throw ScriptError(
                            line: number,
                            reason: "unknown host state '\(value)' (ringing, active, held, idle, waiting, mute on, mute off)")
                    }
                    steps.append(.host(.call(state)))
                }
                continue
            }
            var bytes: [UInt8] = []
            for token in trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }) {
                guard token.count <= 2, let byte = UInt8(token, radix: 16) else {
                    throw ScriptError(line: number, reason: "'\(token)' is not a hex byte")
                }
                guard bytes.count < maxReportBytes else {
                    throw ScriptError(line: number, reason: "report longer than \(maxReportBytes) bytes")
                }
                bytes.append(byte)
            }
            steps.append(.report(bytes))
        }
        return steps
    }

    public var machine: HeadsetCallControl
    public var host: HostState
    var seconds: UInt64 = 0

    /// The headset starts as if the idle state had been written on open; only changes are written.
    public init(controls: TelephonyControls, policy: CallControlPolicy = CallControlPolicy(), host: HostState = HostState()) {
        self.machine = HeadsetCallControl(controls: controls, policy: policy, assumeIdleWritten: true)
        self.host = host
    }

    /// Runs one step and reports what it produced.
    public mutating func run(_ step: Step, _ emit: (Output) -> Void) {
        switch step {
        case .host(.call(let state)): host.call = state
        case .host(.mute(let on)): host.muted = on
        case .report(let bytes):
            seconds += 1
            let now = seconds * 1_000_000_000
            let events = bytes.withUnsafeBytes { machine.handleInput($0, at: now, host: &host) }
            for event in events { emit(.event(event)) }
        }
        for write in machine.pendingWrites(for: host) { emit(.write(write)) }
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> SubSequence {
        var start = startIndex
        var end = endIndex
        while start < end, self[start].isWhitespace { start = index(after: start) }
        while end > start, self[index(before: end)].isWhitespace { end = index(before: end) }
        return self[start..<end]
    }
}
