import Synchronization

/// The bounded, preallocated single-producer/single-consumer queue between the real-time path
/// and the recording writer.
///
/// Every slot holds one whole frame (`frameSamples` interleaved Int16) plus a kind byte, all in
/// one slab allocated in `init`. Unlike a queue of values, the consumer reads a slot *in place*
/// and frees it only after writing it to the file (`release`), so the producer can never
/// overwrite samples still being written; contiguous audio slots are handed to libsndfile in
/// one call without a copy. `push` is wait-free and allocation-free; a full queue returns
/// `false` and the caller counts an overflow.
final class RecordingQueue: @unchecked Sendable {
    // @unchecked: slots are plain memory guarded by the head/tail protocol (the producer writes
    // slot t, then release-stores tail = t + 1; the consumer reads it after an acquire-load of
    // tail and release-stores head only when done with it).
    enum Kind: UInt8 { case audio = 0, pause = 1, resume = 2, stop = 3 }

    let capacity: Int
    let frameSamples: Int
    private let mask: Int
    private let samples: UnsafeMutablePointer<Int16>
    private let kinds: UnsafeMutablePointer<UInt8>
    /// Wall-clock stamp of marker slots, in nanoseconds since 1970.
    private let stamps: UnsafeMutablePointer<Int64>
    private let head = Atomic<Int>(0)
    private let tail = Atomic<Int>(0)

    /// A queue of at least `minimumFrames` slots (rounded up to a power of two).
    init(minimumFrames: Int, frameSamples: Int) {
        precondition(minimumFrames > 0 && minimumFrames <= 1 << 16 && frameSamples > 0)
        var c = 1
        while c < minimumFrames { c <<= 1 }
        capacity = c
        mask = c - 1
        self.frameSamples = frameSamples
        samples = .allocate(capacity: c * frameSamples)
        samples.initialize(repeating: 0, count: c * frameSamples)
        kinds = .allocate(capacity: c)
        kinds.initialize(repeating: 0, count: c)
        stamps = .allocate(capacity: c)
        stamps.initialize(repeating: 0, count: c)
    }

    deinit {
        samples.deallocate()
        kinds.deallocate()
        stamps.deallocate()
    }

    // MARK: Producer (real-time thread)

    /// Fills the next free slot through `fill` and publishes it; `false` when full. Wait-free.
    @inline(__always)
    func pushAudio(_ fill: (UnsafeMutableBufferPointer<Int16>) -> Void) -> Bool {
        let t = tail.load(ordering: .relaxed)
        if t - head.load(ordering: .acquiring) >= capacity { return false }
        let i = t & mask
        fill(UnsafeMutableBufferPointer(start: samples + i * frameSamples, count: frameSamples))
        kinds[i] = Kind.audio.rawValue
        tail.store(t + 1, ordering: .releasing)
        return true
    }

    /// Publishes a marker slot; `false` when full.
    func pushMarker(_ kind: Kind, stamp: Int64) -> Bool {
        let t = tail.load(ordering: .relaxed)
        if t - head.load(ordering: .acquiring) >= capacity { return false }
        let i = t & mask
        kinds[i] = kind.rawValue
        stamps[i] = stamp
        tail.store(t + 1, ordering: .releasing)
        return true
    }

    // MARK: Consumer (writer thread)

    /// The oldest run of slots of one kind: for audio, as many contiguous frames as are queued
    /// without wrapping (samples are interleaved and adjacent); for a marker, that one slot.
    func peekRun() -> (kind: Kind, frames: UnsafeBufferPointer<Int16>, count: Int, stamp: Int64)? {
        let h = head.load(ordering: .relaxed)
        let t = tail.load(ordering: .acquiring)
        if h == t { return nil }
        let first = h & mask
        let kind = Kind(rawValue: kinds[first]) ?? .audio
        if kind != .audio { return (kind, UnsafeBufferPointer(start: nil, count: 0), 1, stamps[first]) }
        var n = 1
        while h + n < t, first + n < capacity, kinds[first + n] == Kind.audio.rawValue { n += 1 }
        return (.audio, UnsafeBufferPointer(start: samples + first * frameSamples, count: n * frameSamples), n, 0)
    }

    /// Frees `count` slots after the consumer is done with them.
    func release(_ count: Int) {
        head.store(head.load(ordering: .relaxed) + count, ordering: .releasing)
    }

    var isEmpty: Bool { head.load(ordering: .acquiring) == tail.load(ordering: .acquiring) }

    var isFull: Bool { tail.load(ordering: .acquiring) - head.load(ordering: .acquiring) >= capacity }
}
