#if canImport(Glibc)
import Glibc
#endif

/// epoll(7) for the load tool's receiver: one `epoll_wait` returns only the leg sockets that
/// have something waiting, where `poll(2)` over every socket cost the kernel a walk of all of
/// them per sweep (12 % of the generator's core at 1,000 calls in a perf profile).
///
/// Swift's Glibc module does not export <sys/epoll.h> and this target has no C shim, so the
/// three calls are looked up in the C library with `dlsym` once.
final class LoadEpoll: @unchecked Sendable {
    // @unchecked: set up on one thread, then used by the receiver thread alone.
    private typealias Create = @convention(c) (Int32) -> Int32
    private typealias Control = @convention(c) (Int32, Int32, Int32, UnsafeMutableRawPointer?) -> Int32
    private typealias Wait = @convention(c) (Int32, UnsafeMutableRawPointer?, Int32, Int32) -> Int32

    /// `struct epoll_event` is packed on x86-64 (events at 0, data at 4: 12 bytes); natural
    /// alignment elsewhere (data at 8: 16 bytes).
    #if arch(x86_64)
    private static let eventStride = 12
    private static let dataOffset = 4
    #else
    private static let eventStride = 16
    private static let dataOffset = 8
    #endif
    private static let epollIn: UInt32 = 0x001
    private static let controlAdd: Int32 = 1
    private static let closeOnExec: Int32 = 0o2000000

    private let fd: Int32
    private let control: Control
    private let waitCall: Wait
    private let events: UnsafeMutableRawPointer
    let capacity: Int

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// An epoll instance returning at most `capacity` ready sockets per wait.
    init(capacity: Int) throws(Failure) {
        guard let libc = dlopen(nil, RTLD_NOW),
            let create = dlsym(libc, "epoll_create1"), let control = dlsym(libc, "epoll_ctl"),
            let wait = dlsym(libc, "epoll_wait")
        else { throw Failure(description: "epoll is not available in this C library") }
        let fd = unsafeBitCast(create, to: Create.self)(Self.closeOnExec)
        guard fd >= 0 else { throw Failure(description: "epoll_create1: \(String(cString: strerror(errno)))") }
        self.fd = fd
        self.control = unsafeBitCast(control, to: Control.self)
        self.waitCall = unsafeBitCast(wait, to: Wait.self)
        self.capacity = max(1, capacity)
        events = .allocate(byteCount: self.capacity * Self.eventStride, alignment: 8)
    }

    deinit {
        close(fd)
        events.deallocate()
    }

    /// Watches `socket` for input (level-triggered: a socket still holding data after a read is
    /// reported again by the next wait); `token` comes back with it.
    func add(_ socket: Int32, token: UInt64) throws(Failure) {
        var event = [UInt8](repeating: 0, count: Self.eventStride)
        let rc = event.withUnsafeMutableBytes { e -> Int32 in
            e.storeBytes(of: Self.epollIn, toByteOffset: 0, as: UInt32.self)
            e.storeBytes(of: token, toByteOffset: Self.dataOffset, as: UInt64.self)
            return control(fd, Self.controlAdd, socket, e.baseAddress)
        }
        guard rc == 0 else { throw Failure(description: "epoll_ctl(ADD, \(socket)): \(String(cString: strerror(errno)))") }
    }

    /// Waits up to `timeoutMilliseconds` and calls `body` with the token of every ready socket.
    /// Returns how many were ready (0 on timeout or an interrupted wait).
    @discardableResult
    func wait(timeoutMilliseconds: Int32, _ body: (UInt64) -> Void) -> Int {
        let n = waitCall(fd, events, Int32(capacity), timeoutMilliseconds)
        guard n > 0 else { return 0 }
        for i in 0..<Int(n) {
            body(events.loadUnaligned(fromByteOffset: i * Self.eventStride + Self.dataOffset, as: UInt64.self))
        }
        return Int(n)
    }
}
