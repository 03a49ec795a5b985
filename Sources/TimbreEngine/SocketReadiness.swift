import CTimbreLinux
#if canImport(Glibc)
import Glibc
#endif

/// Which of a media thread's sockets have datagrams waiting, so that a tick calls `recvmmsg`
/// only on those.
///
/// Why: a tick used to try both sockets of every leg — two system calls per leg per tick, the
/// RTCP one almost always finding nothing. One edge-triggered epoll instance per media thread
/// now says, in one call per tick, which sockets received something; the rest are skipped.
///
/// Flags live in a table indexed by file descriptor (no lookup per socket); a socket whose fd
/// is beyond the table is treated as always ready, as is every socket when epoll is missing.
/// Edge-triggered means a socket is reported once per arrival: a reader that may have left
/// datagrams behind (a full batch) marks it ready again itself. Media thread only.
final class SocketReadiness {
    private let epollFD: Int32
    private let flags: UnsafeMutablePointer<UInt8>
    static let capacity = 1 << 16

    /// Nil when the kernel gives no epoll instance (the caller then reads every socket).
    init?() {
        let fd = timbre_readiness_create()
        guard fd >= 0 else { return nil }
        epollFD = fd
        flags = .allocate(capacity: Self.capacity)
        flags.initialize(repeating: 0, count: Self.capacity)
    }

    deinit {
        close(epollFD)
        flags.deallocate()
    }

    /// Starts watching a socket; it counts as ready until its first read (datagrams may have
    /// arrived before it was watched). False when epoll refused it (the socket is then read
    /// every tick).
    @discardableResult
    func watch(_ fd: Int32) -> Bool {
        let ok = timbre_readiness_watch(epollFD, fd) == 0
        if fd >= 0, Int(fd) < Self.capacity { flags[Int(fd)] = ok ? 1 : 2 }
        return ok
    }

    /// Stops watching a socket (before it leaves this thread or is closed).
    func unwatch(_ fd: Int32) {
        _ = timbre_readiness_unwatch(epollFD, fd)
        if fd >= 0, Int(fd) < Self.capacity { flags[Int(fd)] = 0 }
    }

    /// Collects every arrival since the last call, without blocking. Once per tick.
    func collect() {
        _ = timbre_readiness_collect(epollFD, flags, Self.capacity)
    }

    /// Whether a socket may have datagrams waiting; clears its flag (call it just before
    /// reading). Sockets epoll refused (flag 2) stay ready.
    @inline(__always)
    func take(_ fd: Int32) -> Bool {
        guard fd >= 0, Int(fd) < Self.capacity else { return true }
        let f = flags[Int(fd)]
        if f == 1 { flags[Int(fd)] = 0 }
        return f != 0
    }

    /// Marks a socket ready again (a read took a full batch and may have left more behind).
    @inline(__always)
    func markReady(_ fd: Int32) {
        guard fd >= 0, Int(fd) < Self.capacity, flags[Int(fd)] == 0 else { return }
        flags[Int(fd)] = 1
    }
}
