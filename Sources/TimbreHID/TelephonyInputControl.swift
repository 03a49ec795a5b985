/// Headset inputs a host acts on. Raw values index `TelephonyControlSet` bits.
public enum TelephonyInputControl: Int, Sendable, CaseIterable, CustomStringConvertible {
    case hookSwitch = 0
    case flash
    case redial
    case phoneMute
    case lineBusyTone
    /// The reject key: Telephony Programmable Button, which descriptors also express as Button 1 or
    /// Button 7 inside the telephony collection.
    case programmableButton
    case volumeUp
    case volumeDown
    case consumerMute
    /// Telephony Drop (0x0B:0x26): end or reject a call (EPOS/Sennheiser, Realtek firmware). Used by
    /// the state machine; not one of the names `timbre headset decode` lists.
    case drop

    /// The name `timbre headset decode --json` prints.
    public var name: String {
        switch self {
        case .hookSwitch: "hookSwitch"
        case .flash: "flash"
        case .redial: "redial"
        case .phoneMute: "phoneMute"
        case .lineBusyTone: "lineBusyTone"
        case .programmableButton: "programmableButton"
        case .volumeUp: "volumeUp"
        case .volumeDown: "volumeDown"
        case .consumerMute: "consumerMute"
        case .drop: "drop"
        }
    }

    public var description: String { name }

    /// The usage that names this control.
    public var usage: HIDUsage {
        switch self {
        case .hookSwitch: HIDUsage(page: HIDUsagePage.telephony, id: 0x20)
        case .flash: HIDUsage(page: HIDUsagePage.telephony, id: 0x21)
        case .redial: HIDUsage(page: HIDUsagePage.telephony, id: 0x24)
        case .phoneMute: HIDUsage(page: HIDUsagePage.telephony, id: 0x2F)
        case .lineBusyTone: HIDUsage(page: HIDUsagePage.telephony, id: 0x97)
        case .programmableButton: HIDUsage(page: HIDUsagePage.telephony, id: 0x07)
        case .volumeUp: HIDUsage(page: HIDUsagePage.consumer, id: 0xE9)
        case .volumeDown: HIDUsage(page: HIDUsagePage.consumer, id: 0xEA)
        case .consumerMute: HIDUsage(page: HIDUsagePage.consumer, id: 0xE2)
        case .drop: HIDUsage(page: HIDUsagePage.telephony, id: 0x26)
        }
    }

    /// Usages that map to some control.
    static let candidateUsages: [HIDUsage] =
        allCases.map(\.usage) + [HIDUsage(page: HIDUsagePage.button, id: 1), HIDUsage(page: HIDUsagePage.button, id: 7)]

    /// Whether `timbre headset decode` lists it (the list of input names).
    public var isListed: Bool { self != .drop }

    /// The control a usage inside a telephony application collection stands for.
    public init?(usage: HIDUsage) {
        switch (usage.page, usage.id) {
        case (HIDUsagePage.button, 1), (HIDUsagePage.button, 7): self = .programmableButton
        default:
            guard let match = Self.allCases.first(where: { $0.usage == usage }) else { return nil }
            self = match
        }
    }
}

/// Host-driven outputs: LED page indicators and the Telephony Ringer.
public enum TelephonyOutputControl: Int, Sendable, CaseIterable, CustomStringConvertible {
    case offHook = 0
    case ring
    case mute
    case hold
    case microphone
    case ringer

    public var name: String {
        switch self {
        case .offHook: "offHook"
        case .ring: "ring"
        case .mute: "mute"
        case .hold: "hold"
        case .microphone: "microphone"
        case .ringer: "ringer"
        }
    }

    public var description: String { name }

    public var usage: HIDUsage {
        switch self {
        case .offHook: HIDUsage(page: HIDUsagePage.led, id: 0x17)
        case .ring: HIDUsage(page: HIDUsagePage.led, id: 0x18)
        case .mute: HIDUsage(page: HIDUsagePage.led, id: 0x09)
        case .hold: HIDUsage(page: HIDUsagePage.led, id: 0x20)
        case .microphone: HIDUsage(page: HIDUsagePage.led, id: 0x21)
        case .ringer: HIDUsage(page: HIDUsagePage.telephony, id: 0x9E)
        }
    }

    public init?(usage: HIDUsage) {
        guard let match = Self.allCases.first(where: { $0.usage == usage }) else { return nil }
        self = match
    }

    static let candidateUsages: [HIDUsage] = allCases.map(\.usage)
}

/// A set of input controls as a bit mask (bit n = `TelephonyInputControl(rawValue: n)`); a value
/// type with no storage beyond one integer, so the input path never allocates.
public struct TelephonyControlSet: OptionSet, Sendable, Hashable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    @inlinable
    public init(_ control: TelephonyInputControl) { self.rawValue = 1 << UInt16(control.rawValue) }

    @inlinable
    public func contains(_ control: TelephonyInputControl) -> Bool { rawValue & (1 << UInt16(control.rawValue)) != 0 }
}
