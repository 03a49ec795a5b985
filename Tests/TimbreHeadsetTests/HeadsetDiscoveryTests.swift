import Testing
import TimbreHID
import TimbreHeadset

#if canImport(Glibc)
import Glibc
#endif

@Suite struct HeadsetDiscoveryTests {
    @Test func findsTelephonyNodesAndGroupsInterfaces() throws {
        let tree = try FakeHidrawTree()
        try tree.addSysfsNode(
            "hidraw0", descriptor: FakeHidrawTree.descriptor("logitech-h540"), vendor: 0x046D, product: 0x0A37,
            productName: "Logitech USB Headset H540", phys: "usb-0000:00:14.0-2/input3")
        try tree.addSysfsNode(
            "hidraw1", descriptor: FakeHidrawTree.descriptor("yealink-wh66"), vendor: 0x6993, product: 0xB02B,
            productName: "Yealink WH66", phys: "usb-0000:00:14.0-1/input3")
        try tree.addSysfsNode(
            "hidraw2", descriptor: [0x05, 0x0B, 0x09], vendor: 0x1234, product: 0x5678, productName: "Broken",
            phys: "usb-0000:00:14.0-3/input0")
        try tree.addSysfsNode(
            "hidraw10", descriptor: FakeHidrawTree.descriptor("yealink-wh66"), vendor: 0x6993, product: 0xB02B,
            productName: "Yealink WH66", phys: "usb-0000:00:14.0-1/input5")
        try tree.addSysfsNode(
            "hidraw3", descriptor: FakeHidrawTree.descriptor("jabra-evolve-link-ms"), vendor: 0x0B0E, product: 0x0307,
            productName: "Jabra EVOLVE LINK MS", phys: "usb-0000:00:14.0-4/input3")
        let discovery = HeadsetDiscovery(sysfsRoot: tree.sysfs, devRoot: tree.dev)
        let nodes = discovery.nodes()
        #expect(nodes.map(\.name) == ["hidraw0", "hidraw1", "hidraw2", "hidraw3", "hidraw10"])
        #expect(nodes[1].vendorID == 0x6993 && nodes[1].productID == 0xB02B)
        #expect(nodes[1].devicePath == tree.dev + "/hidraw1")
        if case .failure(let error) = nodes[2].controls {
            #expect(error == .truncatedItem(offset: 2))
        } else {
            Issue.record("a truncated descriptor must not parse")
        }
        let headsets = discovery.headsets()
        #expect(headsets.map(\.productName) == ["Yealink WH66", "Jabra EVOLVE LINK MS"])
        #expect(headsets[0].interfaces.map(\.name) == ["hidraw1", "hidraw10"])
    }

    @Test func missingSysfsIsEmpty() {
        #expect(HeadsetDiscovery(sysfsRoot: "/nonexistent", devRoot: "/nonexistent").nodes().isEmpty)
    }

    @Test func errnoMapping() {
        let denied = HeadsetIOError(errno: EACCES, operation: "open", path: "/dev/hidraw3")
        #expect(denied == .permissionDenied(path: "/dev/hidraw3"))
        #expect(denied.description.contains("70-timbre-headsets.rules"))
        #expect(denied.description.contains("uaccess"))
        #expect(HeadsetIOError(errno: ENODEV, operation: "read", path: "/dev/hidraw3") == .deviceGone(path: "/dev/hidraw3"))
        #expect(HeadsetIOError(errno: EINVAL, operation: "write", path: "x") == .system(operation: "write", path: "x", errno: EINVAL))
    }

    @Test func openingAMissingNodeSaysItIsGone() {
        #expect(throws: HeadsetIOError.deviceGone(path: "/nonexistent/hidraw9")) {
            try HidrawDevice(path: "/nonexistent/hidraw9")
        }
    }
}
