#if canImport(Glibc)
import Glibc
#endif

/// Queues the datagrams a tick sends from one shared socket (`--legs-per-socket`) and hands
/// them to the kernel with one `sendmmsg(2)`, instead of one `sendto` each.
///
/// Swift's Glibc module does not export `sendmmsg` or `struct mmsghdr` (they need
/// _GNU_SOURCE) and this target has no C shim: the call is looked up with `dlsym`, and each
/// `mmsghdr` is laid out by hand (a `msghdr`, then the kernel's `unsigned int msg_len`, padded
/// to 8 bytes). Buffers are allocated once; queueing and flushing allocate nothing.
final class LoadBatchSender {
    private typealias SendMany = @convention(c) (Int32, UnsafeMutableRawPointer?, UInt32, Int32) -> Int32
    private static let headerStride = (MemoryLayout<msghdr>.size + MemoryLayout<UInt32>.size + 7) & ~7
    static let slotSize = 2048

    let capacity: Int
    private let sendMany: SendMany
    private let slots: UnsafeMutableRawPointer
    private let vectors: UnsafeMutablePointer<iovec>
    private let addresses: UnsafeMutablePointer<sockaddr_in>
    private let headers: UnsafeMutableRawPointer
    private let owners: UnsafeMutablePointer<Int32>
    private(set) var count = 0
    private(set) var fd: Int32 = -1

    /// Nil when the C library has no `sendmmsg` (the caller then sends one by one).
    init?(capacity: Int) {
        guard let libc = dlopen(nil, RTLD_NOW), let symbol = dlsym(libc, "sendmmsg") else { return nil }
        sendMany = unsafeBitCast(symbol, to: SendMany.self)
        self.capacity = max(1, min(capacity, 1024))  // UIO_MAXIOV
        slots = .allocate(byteCount: self.capacity * Self.slotSize, alignment: 16)
        vectors = .allocate(capacity: self.capacity)
        addresses = .allocate(capacity: self.capacity)
        headers = .allocate(byteCount: self.capacity * Self.headerStride, alignment: 8)
        headers.initializeMemory(as: UInt8.self, repeating: 0, count: self.capacity * Self.headerStride)
        owners = .allocate(capacity: self.capacity)
    }

    deinit {
        slots.deallocate()
        vectors.deallocate()
        addresses.deallocate()
        headers.deallocate()
        owners.deallocate()
    }

    /// Where to write the next datagram (`slotSize` bytes). Flush first when `isFull` or when
    /// the next datagram leaves from another socket than `fd`.
    var nextSlot: UnsafeMutableRawPointer { slots + count * Self.slotSize }
    var isFull: Bool { count == capacity }

    /// Queues the datagram written at `nextSlot` (`length` bytes) from `socket` to `address`,
    /// sent on behalf of leg `owner`.
    func queue(length: Int, from socket: Int32, to address: sockaddr_in, owner: Int32) {
        precondition(count < capacity && (count == 0 || socket == fd), "flush before queueing for another socket")
        fd = socket
        vectors[count] = iovec(iov_base: nextSlot, iov_len: length)
        addresses[count] = address
        owners[count] = owner
        let h = (headers + count * Self.headerStride).assumingMemoryBound(to: msghdr.self)
        h.pointee = msghdr()
        h.pointee.msg_name = UnsafeMutableRawPointer(addresses + count)
        h.pointee.msg_namelen = socklen_t(MemoryLayout<sockaddr_in>.size)
        h.pointee.msg_iov = vectors + count
        h.pointee.msg_iovlen = 1
        count += 1
    }

    /// Sends everything queued; calls `sent(owner)` for each datagram the kernel took and
    /// returns how many it refused.
    @discardableResult
    func flush(_ sent: (Int32) -> Void) -> Int {
        var offset = 0
        var refused = 0
        while offset < count {
            let n = Int(sendMany(fd, headers + offset * Self.headerStride, UInt32(count - offset), 0))
            guard n > 0 else {
                refused = count - offset
                break
            }
            for k in offset..<(offset + n) { sent(owners[k]) }
            offset += n
        }
        count = 0
        return refused
    }
}
