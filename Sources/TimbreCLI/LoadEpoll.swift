import CTimbreLinux
#if canImport(Glibc)
import Glibc
#endif

/// epoll(7) for the load tool's receiver: one `epoll_wait` returns only the leg sockets that
/// have something waiting, where `poll(2)` over every socket cost the kernel a walk of all of
/// them per sweep (12 % of the generator's core at 1,000 calls in a perf profile).
///
/// Swift's Glibc module does not export <sys/epoll.h>; the calls go through CTimbreLinux's
/// readiness shim (the one the media engine uses), level-triggered here with a token per socket.
final class LoadEpoll: @unchecked Sendable {
    // @unchecked: set up on one thread, then used by the receiver thread alone.
    private let fd: Int32
    private let tokens: UnsafeMutablePointer<UInt64>
    let capacity: Int

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// An epoll instance returning at most `capacity` ready sockets per wait.
    init(capacity: Int) throws(Failure) {
        let fd = timbre_readiness_create()
        guard fd >= 0 else { throw Failure(description: "epoll_create1: \(String(cString: strerror(errno)))") }
        self.fd = fd
        self.capacity = max(1, capacity)
        tokens = .allocate(capacity: self.capacity)
    }

    deinit {
        close(fd)
        tokens.deallocate()
    }

    /// Watches `socket` for input (level-triggered: a socket still holding data after a read is
    /// reported again by the next wait); `token` comes back with it.
    func add(_ socket: Int32, token: UInt64) throws(Failure) {
        guard timbre_readiness_watch_token(fd, socket, token) == 0 else {
            throw Failure(description: "epoll_ctl(ADD, \(socket)): \(String(cString: strerror(errno)))")
        }
    }

    /// Waits up to `timeoutMilliseconds` and calls `body` with the token of every ready socket.
    /// Returns how many were ready (0 on timeout or an interrupted wait).
    @discardableResult
    func wait(timeoutMilliseconds: Int32, _ body: (UInt64) -> Void) -> Int {
        let n = timbre_readiness_wait(fd, tokens, Int32(clamping: capacity), timeoutMilliseconds)
        guard n > 0 else { return 0 }
        for i in 0..<Int(n) { body(tokens[i]) }
        return Int(n)
    }
}
