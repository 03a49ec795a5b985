/// Device-specific behaviour, keyed by USB vendor/product ID. Data only: the state machine reads the
/// behaviours, nothing branches on a model name.
public struct HeadsetQuirk: Sendable, Hashable {
    public struct Behaviour: OptionSet, Sendable, Hashable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }

        /// Phone Mute is an absolute switch (1 = muted, 0 = unmuted), not a toggle button, whatever the
        /// descriptor says (Google Meet speakermic; Linux hid-google-atrus ignores it for that reason).
        public static let phoneMuteIsSwitch = Behaviour(rawValue: 1 << 0)
        /// Hook Switch pulses toggle the hook even if the descriptor declares it absolute.
        public static let hookIsToggle = Behaviour(rawValue: 1 << 1)
        /// HID spread over several USB interfaces of one device (Plantronics BT300 family, per Linux
        /// hid-plantronics): group them as one headset.
        public static let multipleHIDInterfaces = Behaviour(rawValue: 1 << 2)
    }

    public var vendorID: UInt16
    public var productIDs: ClosedRange<UInt16>
    public var model: String
    public var behaviour: Behaviour
    /// Edges of one control closer together than this are contact bounce (nil: the default).
    public var debounceMilliseconds: Int?
    /// Where the fact comes from.
    public var source: String

    public init(
        vendorID: UInt16, productIDs: ClosedRange<UInt16>, model: String, behaviour: Behaviour = [],
        debounceMilliseconds: Int? = nil, source: String
    ) {
        self.vendorID = vendorID
        self.productIDs = productIDs
        self.model = model
        self.behaviour = behaviour
        self.debounceMilliseconds = debounceMilliseconds
        self.source = source
    }

    public func matches(vendorID: UInt16, productID: UInt16) -> Bool {
        vendorID == self.vendorID && productIDs.contains(productID)
    }
}

/// The quirks table and its lookup.
public enum HeadsetQuirks {
    public static let table: [HeadsetQuirk] = [
        HeadsetQuirk(
            vendorID: 0x18D1, productIDs: 0x8001...0x8001, model: "Google Hangouts Meet Speakermic",
            behaviour: .phoneMuteIsSwitch, source: "Linux drivers/hid/hid-google-atrus.c"),
        HeadsetQuirk(
            vendorID: 0x047F, productIDs: 0x0413...0x0418, model: "Plantronics BT300 family",
            behaviour: .multipleHIDInterfaces, debounceMilliseconds: 5, source: "Linux drivers/hid/hid-plantronics.c"),
        HeadsetQuirk(
            vendorID: 0x047F, productIDs: 0x0000...0xFFFF, model: "Plantronics/Poly",
            debounceMilliseconds: 5,
            source: "Linux drivers/hid/hid-plantronics.c drops a repeat of the same key within 5 ms"),
    ]

    /// Every quirk for a device merged: behaviours OR-ed, the first debounce that matches wins
    /// (specific entries come before vendor-wide ones).
    public static func lookup(vendorID: UInt16, productID: UInt16, in table: [HeadsetQuirk] = table) -> HeadsetQuirk? {
        let matches = table.filter { $0.matches(vendorID: vendorID, productID: productID) }
        guard var merged = matches.first else { return nil }
        for quirk in matches.dropFirst() {
            merged.behaviour.formUnion(quirk.behaviour)
            if merged.debounceMilliseconds == nil { merged.debounceMilliseconds = quirk.debounceMilliseconds }
        }
        return merged
    }
}
