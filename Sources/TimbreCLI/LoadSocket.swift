#if canImport(Glibc)
import Glibc
#endif

/// The load tool's UDP sockets: IPv4, non-blocking, with kernel receive timestamps.
///
/// Receive times come from the kernel (`SO_TIMESTAMPNS`, CLOCK_REALTIME) rather than from the
/// receiving thread, so a busy load generator does not add its own scheduling delay to the
/// latency it reports; send times are taken with `LoadSocket.realtimeNanoseconds()` just before
/// `sendto`. On loopback the datagram is queued on the receiver inside that `sendto`, so both ends
/// use one clock.
enum LoadSocket {
    /// `SO_TIMESTAMPNS` (= `SCM_TIMESTAMPNS`) on Linux x86-64/arm64; Swift does not import the
    /// macro, which expands through `SO_TIMESTAMPNS_OLD`.
    static let timestampOption: Int32 = 35

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func realtimeNanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    static func monotonicNanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// An IPv4 address from dotted text and a port.
    static func address(_ host: String, _ port: Int) -> sockaddr_in? {
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = in_port_t(UInt16(truncatingIfNeeded: port)).bigEndian
        guard inet_pton(AF_INET, host, &a.sin_addr) == 1 else { return nil }
        return a
    }

    /// A UDP socket bound to `host:port` (port 0: any), non-blocking, with receive timestamps.
    static func bind(host: String, port: Int) throws(Failure) -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        guard var a = address(host, port) else {
            close(fd)
            throw Failure(description: "not an IPv4 address: \(host)")
        }
        let rc = withUnsafePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            let e = errno
            close(fd)
            throw Failure(description: "bind \(host):\(port): \(String(cString: strerror(e)))")
        }
        var on: Int32 = 1
        setsockopt(fd, SOL_SOCKET, timestampOption, &on, socklen_t(MemoryLayout<Int32>.size))
        var bound = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        return (fd, Int(UInt16(bigEndian: bound.sin_port)))
    }

    /// Binds `count` sockets on even ports from `base` upwards, leaving each odd port above free
    /// (a peer sends RTCP there), skipping ports in use.
    static func bindEvenPorts(host: String, base: Int, count: Int) throws(Failure) -> [(fd: Int32, port: Int)] {
        var out: [(fd: Int32, port: Int)] = []
        out.reserveCapacity(count)
        var port = base & ~1
        while out.count < count {
            guard port < 65_534 else {
                for s in out { close(s.fd) }
                throw Failure(description: "no free even ports left above \(base) for \(count) sockets")
            }
            if let s = try? bind(host: host, port: port) { out.append(s) }
            port += 2
        }
        return out
    }

    /// Sends one datagram; false when the kernel refused it (counted by the caller).
    @inline(__always)
    static func send(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int, to address: UnsafePointer<sockaddr_in>) -> Bool {
        address.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            sendto(fd, bytes, count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == count
        }
    }

    /// Raises a socket's receive buffer to `bytes` (beyond the system maximum when root).
    static func enlargeReceiveBuffer(_ fd: Int32, bytes: Int) {
        var size = Int32(clamping: bytes)
        let force: Int32 = 33  // SO_RCVBUFFORCE (root only), not imported by Swift
        if setsockopt(fd, SOL_SOCKET, force, &size, socklen_t(MemoryLayout<Int32>.size)) != 0 {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    /// Connects `fd` to `address` (sends then need no address, and only that address is
    /// received from); false when the kernel refused.
    static func connect(_ fd: Int32, to address: sockaddr_in) -> Bool {
        var a = address
        return withUnsafePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    /// Sends one datagram on a connected socket; false when the kernel refused it.
    @inline(__always)
    static func send(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Bool {
        Glibc.send(fd, bytes, count, 0) == count
    }

    /// Raises the soft open-file limit to at least `needed` (up to the hard limit); false when
    /// the hard limit is lower.
    static func raiseFileLimit(_ needed: Int) -> Bool {
        var l = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &l) == 0 else { return false }
        if Int(l.rlim_cur) >= needed { return true }
        l.rlim_cur = min(l.rlim_max, rlim_t(needed))
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &l)
        return Int(l.rlim_cur) >= needed
    }
}

/// Receives datagrams with their kernel timestamps through `recvmsg`, reusing one buffer, one
/// iovec and one control buffer: no allocation per packet.
struct LoadReceiver: ~Copyable {
    let buffer: UnsafeMutableRawBufferPointer
    private let control: UnsafeMutableRawBufferPointer
    private let iov: UnsafeMutablePointer<iovec>
    private let header: UnsafeMutablePointer<msghdr>
    private let source: UnsafeMutablePointer<sockaddr_in>

    init(capacity: Int = 2048) {
        buffer = .allocate(byteCount: capacity, alignment: 16)
        control = .allocate(byteCount: 256, alignment: 16)
        iov = .allocate(capacity: 1)
        header = .allocate(capacity: 1)
        source = .allocate(capacity: 1)
    }

    deinit {
        buffer.deallocate()
        control.deallocate()
        iov.deallocate()
        header.deallocate()
        source.deallocate()
    }

    /// One datagram from `fd`: its length (nil when none is waiting), receive time in
    /// CLOCK_REALTIME nanoseconds (the current time when the kernel gave no timestamp) and the
    /// sender's port.
    mutating func receive(_ fd: Int32) -> (length: Int, nanoseconds: Int64, sourcePort: Int)? {
        iov.pointee = iovec(iov_base: buffer.baseAddress, iov_len: buffer.count)
        header.pointee = msghdr()
        header.pointee.msg_iov = iov
        header.pointee.msg_iovlen = 1
        header.pointee.msg_name = UnsafeMutableRawPointer(source)
        header.pointee.msg_namelen = socklen_t(MemoryLayout<sockaddr_in>.size)
        header.pointee.msg_control = control.baseAddress
        header.pointee.msg_controllen = control.count
        let n = recvmsg(fd, header, Int32(MSG_DONTWAIT))
        guard n >= 0 else { return nil }
        var stamp: Int64 = 0
        // Walk the control messages (struct cmsghdr: size_t len; int level; int type; data at 16).
        var offset = 0
        let total = Int(header.pointee.msg_controllen)
        while offset + 16 <= total {
            let base = control.baseAddress! + offset
            let len = base.loadUnaligned(as: Int.self)
            let level = base.loadUnaligned(fromByteOffset: 8, as: Int32.self)
            let type = base.loadUnaligned(fromByteOffset: 12, as: Int32.self)
            if level == SOL_SOCKET, type == LoadSocket.timestampOption, len >= 16 + 16 {
                let sec = base.loadUnaligned(fromByteOffset: 16, as: Int64.self)
                let nsec = base.loadUnaligned(fromByteOffset: 24, as: Int64.self)
                stamp = sec * 1_000_000_000 + nsec
            }
            guard len >= 16 else { break }
            offset += (len + 7) & ~7
        }
        if stamp == 0 { stamp = LoadSocket.realtimeNanoseconds() }
        return (n, stamp, Int(UInt16(bigEndian: source.pointee.sin_port)))
    }
}
