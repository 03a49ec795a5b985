import TimbreHID

#if canImport(Glibc)
import Glibc
#endif

/// Finds hidraw nodes through sysfs (`<sysfs>/class/hidraw/*/device/uevent` and
/// `report_descriptor`) and keeps the ones with a usable Telephony application collection. The
/// sysfs root and /dev are injectable so tests run the same code on a made-up tree.
public struct HeadsetDiscovery: Sendable {
    public var sysfsRoot: String
    public var devRoot: String

    public init(sysfsRoot: String = "/sys", devRoot: String = "/dev") {
        self.sysfsRoot = sysfsRoot
        self.devRoot = devRoot
    }

    var classDirectory: String { sysfsRoot + "/class/hidraw" }

    /// Every hidraw node sysfs lists, sorted by number, whether or not it is a headset.
    public func nodes() -> [HidrawNode] {
        Self.directoryEntries(classDirectory)
            .filter { $0.hasPrefix("hidraw") }
            .sorted { (Int($0.dropFirst(6)) ?? 0, $0) < (Int($1.dropFirst(6)) ?? 0, $1) }
            .compactMap { node(named: $0) }
    }

    /// The node `name` ("hidraw3"), or nil when sysfs has no such node.
    public func node(named name: String) -> HidrawNode? {
        let base = classDirectory + "/" + name + "/device"
        guard let uevent = Self.readFile(base + "/uevent", limit: 16_384),
            let descriptor = Self.readFile(base + "/report_descriptor", limit: HIDDescriptorLimits.maxDescriptorBytes)
        else { return nil }
        var node = HidrawNode(
            name: name, devicePath: devRoot + "/" + name, busType: 0, vendorID: 0, productID: 0, productName: "",
            physicalPath: "", serial: "", descriptor: descriptor,
            controls: Result { () throws(HIDDescriptorError) in try TelephonyControls(descriptor: descriptor) })
        for line in String(decoding: uevent, as: UTF8.self).split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            let key = line[..<eq]
            let value = String(line[line.index(after: eq)...])
            switch key {
            case "HID_ID":
                // BBBB:VVVVVVVV:PPPPPPPP
                let parts = value.split(separator: ":")
                if parts.count == 3 {
                    node.busType = UInt16(truncatingIfNeeded: UInt32(parts[0], radix: 16) ?? 0)
                    node.vendorID = UInt16(truncatingIfNeeded: UInt32(parts[1], radix: 16) ?? 0)
                    node.productID = UInt16(truncatingIfNeeded: UInt32(parts[2], radix: 16) ?? 0)
                }
            case "HID_NAME": node.productName = value
            case "HID_PHYS": node.physicalPath = value
            case "HID_UNIQ": node.serial = value
            default: break
            }
        }
        return node
    }

    /// Headsets: telephony-capable nodes grouped by physical device.
    public func headsets() -> [PhysicalHeadset] {
        Self.group(nodes().filter(\.isTelephony))
    }

    public static func group(_ nodes: [HidrawNode]) -> [PhysicalHeadset] {
        var headsets: [PhysicalHeadset] = []
        for node in nodes {
            if let i = headsets.firstIndex(where: { $0.key == node.physicalDeviceKey }) {
                headsets[i].interfaces.append(node)
            } else {
                headsets.append(
                    PhysicalHeadset(
                        key: node.physicalDeviceKey, productName: node.productName, vendorID: node.vendorID,
                        productID: node.productID, interfaces: [node]))
            }
        }
        return headsets
    }

    // MARK: File helpers

    static func directoryEntries(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Reads a whole (small) file; nil when it cannot be opened or exceeds `limit`.
    static func readFile(_ path: String, limit: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if n == 0 { return result }
            result += chunk[0..<n]
            if result.count > limit { return nil }
        }
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }
}
