/// What the network simulator drives: a jitter buffer fed packets and pulled by a clock. The
/// Timbre `JitterBuffer` is one; peer buffers (speexdsp's, in the peer harness) are others, so
/// all go through exactly the same traces, packetisation and statistics.
public protocol PlayoutBuffer {
    /// Takes a packet that arrived at `arrivalTime` (nanoseconds, receiver clock).
    mutating func deliver(_ packet: JitterPacket, arrivalTime: UInt64)
    /// Fills `out` with one output frame at playout time `now` (nanoseconds, receiver clock).
    mutating func pull(into out: UnsafeMutableBufferPointer<Int16>, now: UInt64) -> JitterBuffer.PullResult
    var statistics: JitterBufferStatistics { get }
    /// Packets still waiting to be played.
    var bufferedPackets: Int { get }
    /// Samples already decoded and waiting to be pulled.
    var pendingSamples: Int { get }
}

extension JitterBuffer: PlayoutBuffer {
    public mutating func deliver(_ packet: JitterPacket, arrivalTime: UInt64) {
        insert(packet, arrivalTime: arrivalTime)
    }
}
