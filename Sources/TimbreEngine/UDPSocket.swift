import CTimbreLinux
#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 socket address as the media path handles it: no String, no allocation.
public struct SocketAddress: Hashable, Sendable, CustomStringConvertible {
    /// Host byte order.
    public var ip: UInt32
    public var port: UInt16

    public init(ip: UInt32, port: UInt16) {
        self.ip = ip
        self.port = port
    }

    /// Parses dotted-quad IPv4 ("127.0.0.1").
    public init?(host: String, port: Int) {
        var addr = in_addr()
        guard inet_pton(AF_INET, host, &addr) == 1, (0...65535).contains(port) else { return nil }
        self.ip = UInt32(bigEndian: addr.s_addr)
        self.port = UInt16(port)
    }

    var sockaddr: sockaddr_in {
        var sa = sockaddr_in()
        sa.sin_family = sa_family_t(AF_INET)
        sa.sin_port = port.bigEndian
        sa.sin_addr.s_addr = ip.bigEndian
        return sa
    }

    init(_ sa: sockaddr_in) {
        ip = UInt32(bigEndian: sa.sin_addr.s_addr)
        port = UInt16(bigEndian: sa.sin_port)
    }

    public var host: String {
        "\(ip >> 24).\((ip >> 16) & 0xFF).\((ip >> 8) & 0xFF).\(ip & 0xFF)"
    }

    public var description: String { "\(host):\(port)" }
}

/// A non-blocking UDP socket for the media threads.
///
/// Receives in batches with `recvmmsg` into buffers allocated once at open, so that one syscall
/// per socket per tick drains everything that arrived; sends with `sendto`. With
/// `receiveTimestamps` the kernel stamps every datagram with its arrival time: a media thread
/// reads its sockets one after another some time into a tick, so the time of the read is not
/// when a packet came. Datagrams longer than
/// the slot size are truncated by the kernel and reported (`MSG_TRUNC`) so the caller counts them
/// as malformed rather than parsing half a packet.
public final class UDPSocket: @unchecked Sendable {
    // @unchecked: owned by one media thread after creation; the control side only closes it
    // after the media thread has released it.
    public let fd: Int32
    public let localAddress: SocketAddress
    public let slotSize: Int
    public let batchSize: Int
    private let buffers: UnsafeMutablePointer<UInt8>
    private let names: UnsafeMutablePointer<sockaddr_in>
    private let lengths: UnsafeMutablePointer<Int32>
    private let truncations: UnsafeMutablePointer<UInt8>
    private let arrivals: UnsafeMutablePointer<UInt64>
    /// The kernel stamps received datagrams (`SO_TIMESTAMPNS` was accepted).
    public let stampsArrivals: Bool

    public enum Failure: Error, CustomStringConvertible {
        case socket(String)
        case bind(SocketAddress, String)
        public var description: String {
            switch self {
            case .socket(let m): return "socket: \(m)"
            case .bind(let a, let m): return "bind \(a): \(m)"
            }
        }
    }

    /// Opens and binds a socket on `address` (port 0 picks a free port).
    /// With `receiveTimestamps`, asks the kernel for arrival stamps (see
    /// `receiveTimestampedBatch`); a kernel that refuses leaves `stampsArrivals` false.
    public init(
        bindTo address: SocketAddress, slotSize: Int = 2048, batchSize: Int = 32, receiveTimestamps: Bool = false
    ) throws(Failure) {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .socket(String(cString: strerror(errno))) }
        var sa = address.sockaddr
        let rc = withUnsafePointer(to: &sa) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            let m = String(cString: strerror(errno))
            close(fd)
            throw .bind(address, m)
        }
        var bound = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        var rcvbuf: Int32 = 1 << 20
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, socklen_t(MemoryLayout<Int32>.size))
        stampsArrivals = receiveTimestamps && timbre_udp_enable_receive_timestamps(fd) == 0
        self.fd = fd
        self.localAddress = SocketAddress(bound)
        self.slotSize = slotSize
        self.batchSize = batchSize
        buffers = .allocate(capacity: slotSize * batchSize)
        names = .allocate(capacity: batchSize)
        lengths = .allocate(capacity: batchSize)
        truncations = .allocate(capacity: batchSize)
        arrivals = .allocate(capacity: batchSize)
    }

    deinit {
        close(fd)
        buffers.deallocate()
        names.deallocate()
        lengths.deallocate()
        truncations.deallocate()
        arrivals.deallocate()
    }

    /// Drains up to `batchSize` datagrams; calls `body(bytes, source, truncated)` for each.
    /// Returns the number received (0 when nothing is waiting). Allocation-free.
    @discardableResult
    public func receiveBatch(_ body: (UnsafeRawBufferPointer, SocketAddress, Bool) -> Void) -> Int {
        receiveTimestampedBatch { bytes, source, truncated, _ in body(bytes, source, truncated) }
    }

    /// Drains up to `batchSize` datagrams; calls `body(bytes, source, truncated, arrival)` for
    /// each, `arrival` being when the datagram reached the socket in `CLOCK_MONOTONIC`
    /// nanoseconds (`MediaClock.monotonicNanoseconds()`), or nil when it carries no kernel stamp.
    /// Returns the number received. Allocation-free.
    @discardableResult
    public func receiveTimestampedBatch(_ body: (UnsafeRawBufferPointer, SocketAddress, Bool, UInt64?) -> Void) -> Int {
        let n = timbre_udp_receive_batch_timestamped(
            fd, buffers, slotSize, UInt32(batchSize), names, lengths, truncations, stampsArrivals ? arrivals : nil)
        guard n > 0 else { return 0 }
        for i in 0..<Int(n) {
            let arrival = stampsArrivals && arrivals[i] != 0 ? arrivals[i] : nil
            body(
                UnsafeRawBufferPointer(start: buffers + i * slotSize, count: Int(lengths[i])), SocketAddress(names[i]),
                truncations[i] != 0, arrival)
        }
        return Int(n)
    }

    /// Sends one datagram; returns false when the kernel refused it (counted by the caller).
    @discardableResult
    public func send(_ bytes: UnsafeRawBufferPointer, to address: SocketAddress) -> Bool {
        var sa = address.sockaddr
        let rc = withUnsafePointer(to: &sa) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(fd, bytes.baseAddress, bytes.count, Int32(MSG_DONTWAIT), $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return rc == bytes.count
    }
}
