/// A fixed-capacity store of packets waiting for playout, keyed by extended RTP timestamp.
///
/// All storage is allocated in `init`: `capacity` slots of metadata, one flat byte array of
/// `capacity × maximumPayloadBytes` for payloads, the occupied slots' indices kept in timestamp
/// order, and a stack of free slots. Every lookup walks only the buffered packets (a handful in
/// practice, however large the capacity), and the earliest and latest packets are the ends of the
/// order, so a pull costs nothing in proportion to the capacity. Packets nearly always arrive in
/// order and leave from the front, so keeping the order is a comparison at each end. When full,
/// the packet with the oldest timestamp is evicted in favour of a newer one, so a flood of packets
/// can never grow memory.
struct PacketBuffer {
    struct Slot {
        var occupied = false
        var timestamp: Int64 = 0
        var sequence: Int64 = 0
        var marker = false
        var payloadType: UInt8 = 0
        var length = 0
        /// Arrival time in nanoseconds on the receiver's clock.
        var arrival: UInt64 = 0
    }

    enum InsertOutcome: Equatable {
        case stored
        /// Same sequence number already buffered.
        case duplicate
        /// Stored, but the packet with this timestamp was evicted to make room.
        case storedEvicting(Int64)
        /// Not stored: buffer full of newer packets, or payload too large.
        case rejected
    }

    let capacity: Int
    let maximumPayloadBytes: Int
    private(set) var slots: [Slot]
    private let payloads: ByteStorage
    /// Slot indices of the buffered packets, by ascending timestamp (first `count` entries).
    private var order: [Int]
    /// Free slot indices (first `capacity − count` entries).
    private var freeSlots: [Int]
    private(set) var count = 0

    init(capacity: Int, maximumPayloadBytes: Int) {
        precondition(capacity > 0 && maximumPayloadBytes > 0)
        self.capacity = capacity
        self.maximumPayloadBytes = maximumPayloadBytes
        slots = Array(repeating: Slot(), count: capacity)
        payloads = ByteStorage(byteCount: capacity * maximumPayloadBytes)
        order = Array(repeating: 0, count: capacity)
        freeSlots = Array((0..<capacity).reversed())
    }

    var isEmpty: Bool { count == 0 }

    mutating func removeAll() {
        while count > 0 { release(order[count - 1]) }
    }

    /// Copies the packet in. Allocation-free.
    mutating func insert(
        timestamp: Int64, sequence: Int64, marker: Bool, payloadType: UInt8,
        payload: UnsafeRawBufferPointer, arrival: UInt64
    ) -> InsertOutcome {
        guard payload.count <= maximumPayloadBytes else { return .rejected }
        for i in 0..<count where slots[order[i]].sequence == sequence { return .duplicate }
        var outcome = InsertOutcome.stored
        if count == capacity {
            let oldest = order[0]
            guard slots[oldest].timestamp < timestamp else { return .rejected }
            outcome = .storedEvicting(slots[oldest].timestamp)
            removeOrdered(at: 0)
        }
        let free = freeSlots[capacity - count - 1]
        slots[free] = Slot(
            occupied: true, timestamp: timestamp, sequence: sequence, marker: marker,
            payloadType: payloadType, length: payload.count, arrival: arrival)
        if let src = payload.baseAddress, payload.count > 0 {
            (payloads.base + free * maximumPayloadBytes).copyMemory(from: src, byteCount: payload.count)
        }
        // Insert into the order from the back: an in-order packet goes straight to the end.
        var position = count
        while position > 0 && slots[order[position - 1]].timestamp > timestamp {
            order[position] = order[position - 1]
            position -= 1
        }
        order[position] = free
        count += 1
        return outcome
    }

    /// Slot index of the packet with exactly this timestamp, or nil.
    func index(timestamp: Int64) -> Int? {
        for i in 0..<count {
            let slot = order[i]
            let t = slots[slot].timestamp
            if t == timestamp { return slot }
            if t > timestamp { return nil }
        }
        return nil
    }

    /// Slot index of the packet with the earliest timestamp, or nil when empty.
    func earliest() -> Int? {
        count > 0 ? order[0] : nil
    }

    /// The latest timestamp buffered, or nil.
    func latestTimestamp() -> Int64? {
        count > 0 ? slots[order[count - 1]].timestamp : nil
    }

    /// Removes every packet older than `timestamp`, returning how many were removed.
    mutating func discard(olderThan timestamp: Int64) -> Int {
        let before = count
        var removed = 0
        while removed < before && slots[order[removed]].timestamp < timestamp {
            release(order[removed])
            removed += 1
        }
        if removed > 0 {
            for i in removed..<before { order[i - removed] = order[i] }
        }
        return removed
    }

    mutating func remove(at index: Int) {
        precondition(slots[index].occupied)
        var position = 0
        while order[position] != index { position += 1 }
        removeOrdered(at: position)
    }

    /// The payload bytes of slot `index`, valid until the buffer is next mutated.
    func payload(at index: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(
            start: payloads.base + index * maximumPayloadBytes, count: slots[index].length)
    }

    private mutating func removeOrdered(at position: Int) {
        let slot = order[position]
        for i in position..<(count - 1) { order[i] = order[i + 1] }
        release(slot)
    }

    /// Marks a slot free and pushes it on the free stack; the caller keeps `order` in step.
    private mutating func release(_ slot: Int) {
        slots[slot].occupied = false
        freeSlots[capacity - count] = slot
        count -= 1
    }
}

/// Bytes allocated once and freed with their owner: payload slots that never reallocate.
final class ByteStorage {
    let base: UnsafeMutableRawPointer
    let byteCount: Int

    init(byteCount: Int) {
        self.byteCount = byteCount
        base = .allocate(byteCount: max(1, byteCount), alignment: 16)
        base.initializeMemory(as: UInt8.self, repeating: 0, count: max(1, byteCount))
    }

    deinit { base.deallocate() }
}
