/// A fixed-capacity store of packets waiting for playout, keyed by extended RTP timestamp.
///
/// All storage is allocated in `init`: `capacity` slots of metadata and one flat byte array of
/// `capacity × maximumPayloadBytes` for payloads. Lookups scan the slots (capacity is small, tens
/// to a few hundred), which keeps the structure allocation-free and simple. When full, the packet
/// with the oldest timestamp is evicted in favour of a newer one, so a flood of packets can never
/// grow memory.
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
    private(set) var count = 0

    init(capacity: Int, maximumPayloadBytes: Int) {
        precondition(capacity > 0 && maximumPayloadBytes > 0)
        self.capacity = capacity
        self.maximumPayloadBytes = maximumPayloadBytes
        slots = Array(repeating: Slot(), count: capacity)
        payloads = ByteStorage(byteCount: capacity * maximumPayloadBytes)
    }

    var isEmpty: Bool { count == 0 }

    mutating func removeAll() {
        for i in 0..<capacity { slots[i].occupied = false }
        count = 0
    }

    /// Copies the packet in. Allocation-free.
    mutating func insert(
        timestamp: Int64, sequence: Int64, marker: Bool, payloadType: UInt8,
        payload: UnsafeRawBufferPointer, arrival: UInt64
    ) -> InsertOutcome {
        guard payload.count <= maximumPayloadBytes else { return .rejected }
        var free = -1
        var oldest = -1
        for i in 0..<capacity {
            if slots[i].occupied {
                if slots[i].sequence == sequence { return .duplicate }
                if oldest < 0 || slots[i].timestamp < slots[oldest].timestamp { oldest = i }
            } else if free < 0 {
                free = i
            }
        }
        var outcome = InsertOutcome.stored
        if free < 0 {
            guard oldest >= 0, slots[oldest].timestamp < timestamp else { return .rejected }
            outcome = .storedEvicting(slots[oldest].timestamp)
            slots[oldest].occupied = false
            count -= 1
            free = oldest
        }
        slots[free] = Slot(
            occupied: true, timestamp: timestamp, sequence: sequence, marker: marker,
            payloadType: payloadType, length: payload.count, arrival: arrival)
        if let src = payload.baseAddress, payload.count > 0 {
            (payloads.base + free * maximumPayloadBytes).copyMemory(from: src, byteCount: payload.count)
        }
        count += 1
        return outcome
    }

    /// Slot index of the packet with exactly this timestamp, or nil.
    func index(timestamp: Int64) -> Int? {
        for i in 0..<capacity where slots[i].occupied && slots[i].timestamp == timestamp { return i }
        return nil
    }

    /// Slot index of the packet with the earliest timestamp, or nil when empty.
    func earliest() -> Int? {
        var best = -1
        for i in 0..<capacity where slots[i].occupied {
            if best < 0 || slots[i].timestamp < slots[best].timestamp { best = i }
        }
        return best < 0 ? nil : best
    }

    /// The latest timestamp buffered, or nil.
    func latestTimestamp() -> Int64? {
        var best: Int64?
        for i in 0..<capacity where slots[i].occupied {
            if best == nil || slots[i].timestamp > best! { best = slots[i].timestamp }
        }
        return best
    }

    /// Removes every packet older than `timestamp`, returning how many were removed.
    mutating func discard(olderThan timestamp: Int64) -> Int {
        var removed = 0
        for i in 0..<capacity where slots[i].occupied && slots[i].timestamp < timestamp {
            slots[i].occupied = false
            removed += 1
        }
        count -= removed
        return removed
    }

    mutating func remove(at index: Int) {
        precondition(slots[index].occupied)
        slots[index].occupied = false
        count -= 1
    }

    /// The payload bytes of slot `index`, valid until the buffer is next mutated.
    func payload(at index: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(
            start: payloads.base + index * maximumPayloadBytes, count: slots[index].length)
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
