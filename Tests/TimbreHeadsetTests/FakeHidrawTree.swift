import CTimbreLinux
import Foundation
import TimbreTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A made-up sysfs + /dev tree in a temporary directory. Each plugged node is a pseudo-terminal in
/// raw mode standing in for `/dev/hidrawN` (these machines have no uhid): `dev/hidrawN` is a symlink
/// to the pty's slave, and the test holds the master, where it writes input reports and reads the
/// output reports the code under test writes.
final class FakeHidrawTree {
    let root: String
    var sysfs: String { root + "/sys" }
    var dev: String { root + "/dev" }
    private(set) var plugged: [String: PtyEnd] = [:]

    init() throws {
        var template = Array((NSTemporaryDirectory() + "/timbre-hid-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(.EIO) }
        root = String(cString: made)
        try FileManager.default.createDirectory(atPath: root + "/sys/class/hidraw", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/dev", withIntermediateDirectories: true)
    }

    deinit {
        for end in plugged.values { end.close() }
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Creates `class/hidraw/<name>/device/{uevent,report_descriptor}`.
    func addSysfsNode(_ name: String, descriptor: [UInt8], vendor: UInt16, product: UInt16, productName: String, phys: String) throws {
        let dir = sysfs + "/class/hidraw/" + name + "/device"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let uevent = String(format: "DRIVER=hid-generic\nHID_ID=0003:%08X:%08X\nHID_NAME=%@\nHID_PHYS=%@\nHID_UNIQ=\nMODALIAS=hid:b0003g0001v%08Xp%08X\n", vendor, product, productName, phys, vendor, product)
        try uevent.write(toFile: dir + "/uevent", atomically: true, encoding: .utf8)
        try Data(descriptor).write(to: URL(fileURLWithPath: dir + "/report_descriptor"))
    }

    func removeSysfsNode(_ name: String) throws {
        try FileManager.default.removeItem(atPath: sysfs + "/class/hidraw/" + name)
    }

    /// Plugs `name`: a new pty, linked as `dev/<name>`.
    @discardableResult
    func plug(_ name: String) throws -> PtyEnd {
        let end = try PtyEnd()
        try FileManager.default.createSymbolicLink(atPath: dev + "/" + name, withDestinationPath: end.slavePath)
        plugged[name] = end
        return end
    }

    /// Removes `dev/<name>` (the node vanishes as on unplug) and closes the pty.
    func unplug(_ name: String) throws {
        try FileManager.default.removeItem(atPath: dev + "/" + name)
        plugged.removeValue(forKey: name)?.close()
    }

    static func descriptor(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.repositoryRoot + "/Tests/TimbreHIDTests/Descriptors/\(name).bin")))
    }
}

/// The device side of a stand-in hidraw node.
final class PtyEnd {
    let master: Int32
    let slave: Int32
    let slavePath: String
    private var isClosed = false

    init() throws {
        var name = [CChar](repeating: 0, count: 128)
        master = timbre_pty_open(&name, name.count)
        guard master >= 0 else { throw POSIXError(.EIO) }
        slavePath = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // Kept open so that the master never sees EIO while the code under test reopens the node.
        slave = open(slavePath, O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard slave >= 0 else { throw POSIXError(.EIO) }
        var t = termios()
        tcgetattr(slave, &t)
        cfmakeraw(&t)
        tcsetattr(slave, TCSANOW, &t)
    }

    deinit { close() }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        _ = Glibc.close(master)
        _ = Glibc.close(slave)
    }

    /// Sends one input report, as the headset would.
    func send(_ report: [UInt8]) {
        _ = report.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
    }

    /// Reads what the code under test wrote, waiting up to `timeout` ms for the first byte.
    func receive(timeout: Int32 = 2000) -> [UInt8] {
        var fds = [pollfd(fd: master, events: Int16(POLLIN), revents: 0)]
        guard poll(&fds, 1, timeout) > 0 else { return [] }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
        return n > 0 ? Array(buffer[0..<n]) : []
    }
}
