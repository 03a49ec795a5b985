import Synchronization

/// A bounded, lock-free ring buffer for exactly one producer thread and one consumer thread.
///
/// This is how the real-time path hands work to other threads (recorder, event publisher) and
/// takes commands from them without a lock: `push` and `pop` are wait-free, never allocate and
/// never block. A full buffer makes `push` return `false`; the caller counts that as an overflow
/// (nothing is dropped silently).
///
/// The capacity is rounded up to a power of two so that index math is a mask. Head and tail are
/// free-running counters (they never wrap in practice at 2^63), stored in `Atomic` with
/// acquire/release ordering so the element written before a release-store of the tail is visible
/// after the consumer's acquire-load.
public final class SPSCRingBuffer<Element>: @unchecked Sendable {
    // @unchecked: the element slots are plain memory guarded by the head/tail protocol
    // (single producer writes slot t before publishing tail = t + 1; single consumer reads it
    // after observing that tail, and only then publishes head).
    // @usableFromInline with @inlinable push/pop: callers get them specialised for their element
    // type (a generic, unspecialised pop cost a 3-party bridge tick 6 % just to find no command).
    @usableFromInline let slots: UnsafeMutablePointer<Element?>
    @usableFromInline let mask: Int
    public let capacity: Int
    @usableFromInline let head = Atomic<Int>(0)  // next slot to read; written by the consumer only
    @usableFromInline let tail = Atomic<Int>(0)  // next slot to write; written by the producer only

    /// Creates a buffer holding at least `minimumCapacity` elements (rounded up to a power of two).
    public init(minimumCapacity: Int) {
        precondition(minimumCapacity > 0 && minimumCapacity <= 1 << 30, "capacity out of range")
        var c = 1
        while c < minimumCapacity { c <<= 1 }
        capacity = c
        mask = c - 1
        slots = UnsafeMutablePointer<Element?>.allocate(capacity: c)
        slots.initialize(repeating: nil, count: c)
    }

    deinit {
        slots.deinitialize(count: capacity)
        slots.deallocate()
    }

    /// Producer side: appends `element`, or returns `false` when full. Wait-free.
    @discardableResult @inlinable
    public func push(_ element: Element) -> Bool {
        let t = tail.load(ordering: .relaxed)
        let h = head.load(ordering: .acquiring)
        if t - h >= capacity { return false }
        slots[t & mask] = element
        tail.store(t + 1, ordering: .releasing)
        return true
    }

    /// Consumer side: removes the oldest element, or returns `nil` when empty. Wait-free.
    @inlinable
    public func pop() -> Element? {
        let h = head.load(ordering: .relaxed)
        let t = tail.load(ordering: .acquiring)
        if h == t { return nil }
        let element = slots[h & mask].take()
        head.store(h + 1, ordering: .releasing)
        return element
    }

    /// Elements currently queued (a snapshot; exact when read by either side about its own end).
    @inlinable
    public var count: Int { tail.load(ordering: .acquiring) - head.load(ordering: .acquiring) }

    @inlinable
    public var isEmpty: Bool { count == 0 }
}
