/// Host choices and device quirks the call-control state machine applies.
public struct CallControlPolicy: Sendable, Hashable {
    /// Edges of the same control closer than this are contact bounce and produce no event
    /// (nanoseconds). A few milliseconds only: legitimate presses repeat every ≥ 100 ms.
    public var debounceNanoseconds: UInt64
    /// Also drive the Telephony Ringer (audible ring in the headset) while alerting, not only the Ring LED.
    public var audibleRinger: Bool
    /// Phone Mute is an absolute switch (1 = muted) instead of a toggle button.
    public var phoneMuteIsSwitch: Bool
    /// Treat the Hook Switch as a toggle button even when declared absolute.
    public var hookIsToggle: Bool

    public static let defaultDebounceNanoseconds: UInt64 = 10_000_000

    public init(
        debounceNanoseconds: UInt64 = Self.defaultDebounceNanoseconds, audibleRinger: Bool = false,
        phoneMuteIsSwitch: Bool = false, hookIsToggle: Bool = false
    ) {
        self.debounceNanoseconds = debounceNanoseconds
        self.audibleRinger = audibleRinger
        self.phoneMuteIsSwitch = phoneMuteIsSwitch
        self.hookIsToggle = hookIsToggle
    }

    /// The policy for a device, with its quirks (if any) applied to the defaults.
    public init(vendorID: UInt16, productID: UInt16, quirks: [HeadsetQuirk] = HeadsetQuirks.table) {
        self.init()
        if let quirk = HeadsetQuirks.lookup(vendorID: vendorID, productID: productID, in: quirks) {
            if let ms = quirk.debounceMilliseconds { debounceNanoseconds = UInt64(ms) * 1_000_000 }
            phoneMuteIsSwitch = quirk.behaviour.contains(.phoneMuteIsSwitch)
            hookIsToggle = quirk.behaviour.contains(.hookIsToggle)
        }
    }
}
