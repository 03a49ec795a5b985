import Synchronization

/// Per-leg counters written by the media thread (only) and read by the control side without a
/// lock.
public final class LegCounters: Sendable {
    public let packetsIn = Atomic<Int>(0)
    public let packetsOut = Atomic<Int>(0)
    public let bytesIn = Atomic<Int>(0)
    public let bytesOut = Atomic<Int>(0)
    public let malformed = Atomic<Int>(0)
    /// Datagrams from an address other than the latched/signalled remote.
    public let foreignSource = Atomic<Int>(0)
    public let unknownPayloadType = Atomic<Int>(0)
    public let sendFailures = Atomic<Int>(0)
    public let dtmfReceived = Atomic<Int>(0)
    public let rtcpIn = Atomic<Int>(0)
    public let rtcpOut = Atomic<Int>(0)
    /// Latest round-trip time from RTCP LSR/DLSR in microseconds (-1 = unknown).
    public let roundTripMicros = Atomic<Int>(-1)
    /// Remote's reported cumulative loss and jitter (from their RR about our stream).
    public let remoteLost = Atomic<Int>(0)
    public let remoteJitterTicks = Atomic<Int>(0)
    /// Our receive-side loss and interarrival jitter per RFC 3550 A.3/A.8.
    public let lost = Atomic<Int>(0)
    public let jitterTicks = Atomic<Int>(0)

    public init() {}

    /// Counts on the media thread, the only writer: a relaxed load and store (plain moves)
    /// instead of a locked read-modify-write, which cost about 20 ns each, four per packet.
    /// Readers still see whole values.
    @inline(__always)
    func add(_ a: borrowing Atomic<Int>, _ n: Int = 1) { a.store(a.load(ordering: .relaxed) &+ n, ordering: .relaxed) }
}
