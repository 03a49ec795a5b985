/// Produces the RFC 4733 packet sequence for one event at a time: a first packet with the marker
/// bit, an update every packet interval with the growing duration, and three identical end
/// packets (§2.5.1.4), so that losing up to two of them, or receiving all three, changes nothing
/// at the receiver.
///
/// Events longer than the 16-bit duration field (65535 ticks, about 8 s at 8 kHz) are split into
/// segments (§2.5.2.3): the segment reaching 0xFFFF is reported without the E bit and the next
/// segment starts at the timestamp where it ended, without the marker bit.
///
/// Call `nextPacket()` once per packet interval (the stream's ptime); it allocates nothing.
public struct TelephoneEventEncoder: Hashable, Sendable {
    /// One packet to send: the RTP marker bit and timestamp, and the payload block.
    public struct Packet: Hashable, Sendable {
        public var marker: Bool
        public var timestamp: UInt32
        public var event: TelephoneEvent
    }

    private enum State: Hashable, Sendable {
        case idle
        case active
        case ending(remaining: Int)
    }

    /// Ticks between packets (e.g. 160 for 20 ms at 8000 Hz).
    public let ticksPerPacket: Int
    private var state: State = .idle
    private var event: UInt8 = 0
    private var volume: UInt8 = 10
    private var segmentTimestamp: UInt32 = 0
    private var segmentElapsed = 0
    private var isFirst = false
    private var stopRequested = false

    public static let maximumDuration = Int(UInt16.max)
    /// Number of end packets sent (RFC 4733 recommends three).
    public static let endPacketCount = 3

    public init(ticksPerPacket: Int) {
        precondition(ticksPerPacket > 0 && ticksPerPacket < Self.maximumDuration)
        self.ticksPerPacket = ticksPerPacket
    }

    /// Whether an event is being sent (including its end packets).
    public var isBusy: Bool { state != .idle }

    /// Begins an event whose first packet carries `timestamp`. Returns false, changing nothing,
    /// while another event is still being sent.
    @discardableResult
    public mutating func start(event: UInt8, volume: UInt8 = 10, timestamp: UInt32) -> Bool {
        guard state == .idle else { return false }
        self.event = event
        self.volume = volume & 0x3F
        segmentTimestamp = timestamp
        segmentElapsed = 0
        isFirst = true
        stopRequested = false
        state = .active
        return true
    }

    /// Ends the current event: the next `nextPacket()` advances the duration one last time and
    /// reports the end; the two after it repeat that end packet.
    public mutating func stop() {
        if state == .active { stopRequested = true }
    }

    /// The packet for this interval, or nil when idle.
    public mutating func nextPacket() -> Packet? {
        switch state {
        case .idle:
            return nil
        case .ending(let remaining):
            state = remaining > 1 ? .ending(remaining: remaining - 1) : .idle
            return Packet(
                marker: false, timestamp: segmentTimestamp,
                event: TelephoneEvent(event: event, isEnd: true, volume: volume, duration: UInt16(segmentElapsed)))
        case .active:
            let marker = isFirst
            isFirst = false
            segmentElapsed += ticksPerPacket
            if segmentElapsed >= Self.maximumDuration && !(stopRequested && segmentElapsed == Self.maximumDuration) {
                // Close this segment at exactly 0xFFFF and carry the rest into the next one.
                let packet = Packet(
                    marker: marker, timestamp: segmentTimestamp,
                    event: TelephoneEvent(event: event, isEnd: false, volume: volume, duration: UInt16.max))
                segmentTimestamp &+= UInt32(Self.maximumDuration)
                segmentElapsed -= Self.maximumDuration
                if stopRequested {
                    // The remainder (if any) is reported as an ended zero-or-short segment.
                    state = .ending(remaining: Self.endPacketCount)
                }
                return packet
            }
            if stopRequested {
                state = .ending(remaining: Self.endPacketCount - 1)
                return Packet(
                    marker: marker, timestamp: segmentTimestamp,
                    event: TelephoneEvent(event: event, isEnd: true, volume: volume, duration: UInt16(segmentElapsed)))
            }
            return Packet(
                marker: marker, timestamp: segmentTimestamp,
                event: TelephoneEvent(event: event, isEnd: false, volume: volume, duration: UInt16(segmentElapsed)))
        }
    }

    /// The whole packet sequence for an event of `duration` ticks (rounded up to whole packet
    /// intervals), for control paths and tests; allocates.
    public static func packets(
        event: UInt8, volume: UInt8 = 10, timestamp: UInt32, duration: Int, ticksPerPacket: Int
    ) -> [Packet] {
        var e = TelephoneEventEncoder(ticksPerPacket: ticksPerPacket)
        e.start(event: event, volume: volume, timestamp: timestamp)
        let intervals = max(1, (duration + ticksPerPacket - 1) / ticksPerPacket)
        var out: [Packet] = []
        for i in 0..<intervals {
            if i == intervals - 1 { e.stop() }
            if let p = e.nextPacket() { out.append(p) }
        }
        while let p = e.nextPacket() { out.append(p) }
        return out
    }
}
