import TimbreHID

/// One hidraw node as sysfs describes it.
public struct HidrawNode: Sendable {
    /// "hidraw3".
    public var name: String
    /// "/dev/hidraw3" (under the injected dev root).
    public var devicePath: String
    public var busType: UInt16
    public var vendorID: UInt16
    public var productID: UInt16
    /// HID_NAME.
    public var productName: String
    /// HID_PHYS, e.g. "usb-0000:00:14.0-1/input3".
    public var physicalPath: String
    /// HID_UNIQ (serial), often empty.
    public var serial: String
    /// The raw report descriptor (sysfs `report_descriptor`).
    public var descriptor: [UInt8]
    /// The telephony mapping, or the parse error.
    public var controls: Result<TelephonyControls, HIDDescriptorError>

    /// The physical device this interface belongs to: HID_PHYS without its "/inputN" suffix, with
    /// VID:PID and serial, so that the interfaces of one headset group together.
    public var physicalDeviceKey: String {
        var base = Substring(physicalPath)
        if let slash = base.lastIndex(of: "/"), base[base.index(after: slash)...].hasPrefix("input") {
            base = base[..<slash]
        }
        if base.isEmpty { base = Substring(name) }
        return "\(base)|\(Self.hex4(vendorID)):\(Self.hex4(productID))|\(serial)"
    }

    /// Whether this interface offers call control.
    public var isTelephony: Bool {
        if case .success(let c) = controls { return c.isUsable }
        return false
    }

    static func hex4(_ v: UInt16) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 4 - s.count) + s
    }
}

/// A physical headset: its hidraw interfaces that offer call control.
public struct PhysicalHeadset: Sendable {
    public var key: String
    public var productName: String
    public var vendorID: UInt16
    public var productID: UInt16
    public var interfaces: [HidrawNode]
}
