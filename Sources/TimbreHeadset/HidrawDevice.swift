import CTimbreLinux

#if canImport(Glibc)
import Glibc
#endif

/// An open `/dev/hidrawN` (or anything standing in for it): non-blocking reads of input reports,
/// output reports by `write`, feature reports by ioctl. Owns its file descriptor.
public final class HidrawDevice {
    public let path: String
    public let fileDescriptor: Int32
    private var closed = false

    /// Opens `path` read-write, non-blocking, close-on-exec and without becoming a controlling tty.
    public init(path: String) throws(HeadsetIOError) {
        self.path = path
        let fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else { throw HeadsetIOError(errno: errno, operation: "open", path: path) }
        fileDescriptor = fd
    }

    deinit { close() }

    public func close() {
        guard !closed else { return }
        closed = true
        _ = Glibc.close(fileDescriptor)
    }

    /// Reads what is pending into `buffer`: the byte count, or nil when nothing is (EAGAIN). hidraw
    /// returns one report per read.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(HeadsetIOError) -> Int? {
        while true {
            let n = Glibc.read(fileDescriptor, buffer.baseAddress, buffer.count)
            if n > 0 { return n }
            if n == 0 { throw .deviceGone(path: path) }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { return nil }
            throw HeadsetIOError(errno: code, operation: "read", path: path)
        }
    }

    /// Writes one whole output report (report-ID byte first, or 0x00 for un-numbered devices).
    public func write(_ report: [UInt8]) throws(HeadsetIOError) {
        let result = report.withUnsafeBytes { raw -> (Int, Int32) in
            while true {
                let n = Glibc.write(fileDescriptor, raw.baseAddress, raw.count)
                if n < 0 && errno == EINTR { continue }
                return (n, n < 0 ? errno : 0)
            }
        }
        if result.0 < 0 { throw HeadsetIOError(errno: result.1, operation: "write", path: path) }
        if result.0 != report.count { throw .shortWrite(path: path, written: result.0, expected: report.count) }
    }

    /// Sends a feature report (ID first). The corresponding ioctl is `HIDIOCSFEATURE`.
    public func setFeature(_ report: [UInt8]) throws(HeadsetIOError) {
        let n = report.withUnsafeBytes {
            timbre_hidraw_set_feature(fileDescriptor, $0.baseAddress!.assumingMemoryBound(to: UInt8.self), $0.count)
        }
        if n < 0 { throw HeadsetIOError(errno: errno, operation: "HIDIOCSFEATURE", path: path) }
    }

    /// Reads feature report `reportID` of `length` bytes (ID included). The ioctl is `HIDIOCGFEATURE`.
    public func getFeature(reportID: UInt8, length: Int) throws(HeadsetIOError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: max(length, 1))
        buffer[0] = reportID
        let n = buffer.withUnsafeMutableBytes {
            timbre_hidraw_get_feature(fileDescriptor, $0.baseAddress!.assumingMemoryBound(to: UInt8.self), $0.count)
        }
        if n < 0 { throw HeadsetIOError(errno: errno, operation: "HIDIOCGFEATURE", path: path) }
        return Array(buffer[0..<min(Int(n), buffer.count)])
    }

    /// The report descriptor through `HIDIOCGRDESCSIZE`/`HIDIOCGRDESC`.
    public func reportDescriptor() throws(HeadsetIOError) -> [UInt8] {
        let capacity = Int(timbre_hidraw_max_descriptor_size())
        var buffer = [UInt8](repeating: 0, count: capacity)
        let n = buffer.withUnsafeMutableBytes {
            timbre_hidraw_descriptor(fileDescriptor, $0.baseAddress!.assumingMemoryBound(to: UInt8.self), $0.count)
        }
        if n < 0 { throw HeadsetIOError(errno: errno, operation: "HIDIOCGRDESC", path: path) }
        return Array(buffer[0..<Int(n)])
    }

    /// Bus type, vendor and product through `HIDIOCGRAWINFO`.
    public func info() throws(HeadsetIOError) -> (bus: UInt32, vendorID: UInt16, productID: UInt16) {
        var bus: UInt32 = 0
        var vendor: Int16 = 0
        var product: Int16 = 0
        guard timbre_hidraw_info(fileDescriptor, &bus, &vendor, &product) == 0 else {
            throw HeadsetIOError(errno: errno, operation: "HIDIOCGRAWINFO", path: path)
        }
        return (bus, UInt16(bitPattern: vendor), UInt16(bitPattern: product))
    }
}
