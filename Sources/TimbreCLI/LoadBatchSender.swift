import CTimbreLinux
#if canImport(Glibc)
import Glibc
#endif

/// Queues the datagrams a tick sends from one shared socket (`--legs-per-socket`) and hands
/// them to the kernel with one `sendmmsg(2)` (CTimbreLinux's `timbre_udp_send_batch`: Swift's
/// Glibc module does not export `sendmmsg` or `struct mmsghdr`), instead of one `sendto` each.
/// Buffers are allocated once; queueing and flushing allocate nothing.
final class LoadBatchSender {
    static let slotSize = 2048

    let capacity: Int
    private let slots: UnsafeMutableRawPointer
    /// `slots` as the C call sees it.
    private let bytes: UnsafeMutablePointer<UInt8>
    private let lengths: UnsafeMutablePointer<Int32>
    private let addresses: UnsafeMutablePointer<sockaddr_in>
    private let owners: UnsafeMutablePointer<Int32>
    private(set) var count = 0
    private(set) var fd: Int32 = -1

    init(capacity: Int) {
        self.capacity = max(1, min(capacity, 1024))
        slots = .allocate(byteCount: self.capacity * Self.slotSize, alignment: 16)
        bytes = slots.bindMemory(to: UInt8.self, capacity: self.capacity * Self.slotSize)
        lengths = .allocate(capacity: self.capacity)
        addresses = .allocate(capacity: self.capacity)
        owners = .allocate(capacity: self.capacity)
    }

    deinit {
        slots.deallocate()
        lengths.deallocate()
        addresses.deallocate()
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
        lengths[count] = Int32(clamping: min(length, Self.slotSize))
        addresses[count] = address
        owners[count] = owner
        count += 1
    }

    /// Sends everything queued; calls `sent(owner)` for each datagram the kernel took and
    /// returns how many it refused.
    @discardableResult
    func flush(_ sent: (Int32) -> Void) -> Int {
        let n = Int(timbre_udp_send_batch(fd, bytes, Self.slotSize, UInt32(count), addresses, lengths))
        let taken = max(0, n)
        for k in 0..<taken { sent(owners[k]) }
        let refused = count - taken
        count = 0
        return refused
    }
}
