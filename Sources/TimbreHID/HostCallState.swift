/// The host's (softphone's) call state, which headset events are interpreted against.
public enum HostCallState: String, Sendable, CaseIterable, CustomStringConvertible {
    case idle
    /// An incoming call is alerting; no call is up.
    case ringing
    case active
    case held
    /// A call is up and a second call is alerting.
    case waiting

    public var description: String { rawValue }

    /// A call is up (the headset should show Off-Hook).
    public var hasCall: Bool { self == .active || self == .held || self == .waiting }
    /// Something is alerting (the headset should ring).
    public var isAlerting: Bool { self == .ringing || self == .waiting }
}

/// Everything the host state machine needs: the call state and the host's own mute state. The host
/// owns mute: Phone Mute is a button that toggles it, and the Mute LED echoes it.
public struct HostState: Sendable, Hashable {
    public var call: HostCallState
    public var muted: Bool

    public init(call: HostCallState = .idle, muted: Bool = false) {
        self.call = call
        self.muted = muted
    }

    /// What the host does after an event: answer makes the call active, hang-up ends it (a waiting call
    /// then alerts on its own), hold/resume/answer-waiting move between the call states, mute/unmute
    /// set the host's mute. Volume, flash and redial leave the state alone.
    public mutating func apply(_ event: CallControlEvent) {
        switch event {
        case .answer: if call == .ringing { call = .active }
        case .reject: if call == .ringing { call = .idle } else if call == .waiting { call = .active }
        case .hangUp:
            switch call {
            case .active, .held: call = .idle
            case .waiting: call = .ringing
            default: break
            }
        case .hold: if call == .active { call = .held }
        case .resume: if call == .held { call = .active }
        case .answerWaiting: if call == .waiting { call = .active }
        case .mute: muted = true
        case .unmute: muted = false
        case .volumeUp, .volumeDown, .flash, .redial: break
        }
    }

    /// Indicator states the headset should show (HID usage tables §11/§14 and the host duties real
    /// headsets rely on): Off-Hook while a call is up (hold keeps it: some Jabra report hook 0 and
    /// end the call when it clears), Ring while alerting, Mute only during a call, Hold while held.
    /// Idle turns every indicator off, Mute included.
    public func indicators(audibleRinger: Bool = false) -> HeadsetIndicators {
        HeadsetIndicators(
            offHook: call.hasCall, ring: call.isAlerting, mute: muted && call.hasCall, hold: call == .held,
            ringer: audibleRinger && call.isAlerting)
    }
}

/// The indicator states a host drives. `mute` drives both LED Mute (0x08:0x09) and LED Microphone
/// (0x08:0x21): vendors use either as the mute echo.
public struct HeadsetIndicators: Sendable, Hashable {
    public var offHook: Bool
    public var ring: Bool
    public var mute: Bool
    public var hold: Bool
    public var ringer: Bool

    public init(offHook: Bool = false, ring: Bool = false, mute: Bool = false, hold: Bool = false, ringer: Bool = false) {
        self.offHook = offHook
        self.ring = ring
        self.mute = mute
        self.hold = hold
        self.ringer = ringer
    }

    public func isOn(_ control: TelephonyOutputControl) -> Bool {
        switch control {
        case .offHook: offHook
        case .ring: ring
        case .mute, .microphone: mute
        case .hold: hold
        case .ringer: ringer
        }
    }
}
