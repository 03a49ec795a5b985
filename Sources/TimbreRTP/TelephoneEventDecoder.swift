public import TimbreCore

/// Turns received RFC 4733 telephone-event packets into whole events with durations.
///
/// Handles what real streams do: the three retransmitted end packets (reported once),
/// reordered or duplicated updates (ignored), a lost start or lost end packets (an event still
/// begins on any packet and ends when a newer event starts or `expire` times it out),
/// long-duration events split into segments (joined into one event) and timestamps that wrap
/// past 2^32 (unwrapped to 64 bits). Allocation-free; one value per incoming stream.
public struct TelephoneEventDecoder: Hashable, Sendable {
    /// A completed event.
    public struct DigitEvent: Hashable, Sendable {
        /// Event code; `digit` names DTMF codes.
        public var event: UInt8
        /// RTP timestamp at which the event began.
        public var timestamp: UInt32
        /// Total duration in RTP ticks over all segments (may exceed 65535).
        public var duration: Int
        /// Volume (−dBm0) of the last packet.
        public var volume: UInt8
        /// False when no end packet arrived and the event was closed by a newer event or a timeout.
        public var endSeen: Bool

        public var digit: DTMFDigit? { DTMFDigit(rawValue: event) }

        /// Duration in milliseconds at `clockRate` ticks per second.
        public func durationMilliseconds(clockRate: Int) -> Int { duration * 1000 / clockRate }
    }

    /// What one packet changed.
    public struct Update: Hashable, Sendable {
        /// An earlier event this packet cut short (its end packets were lost), reported first.
        public var interrupted: DigitEvent?
        /// An event that finished with this packet.
        public var ended: DigitEvent?
        /// Set when this packet began a new event (its code).
        public var began: UInt8?
    }

    private struct Current: Hashable, Sendable {
        var event: UInt8
        var start: Int64
        var segmentStart: Int64
        var segmentDuration: Int
        var volume: UInt8
        var digitEvent: DigitEvent {
            DigitEvent(
                event: event, timestamp: UInt32(truncatingIfNeeded: start),
                duration: Int(segmentStart - start) + segmentDuration, volume: volume, endSeen: false)
        }
    }

    private var unwrapper = TimestampUnwrapper()
    private var current: Current?
    /// Segment timestamp of the last finished event; packets at or before it are stale.
    private var lastFinishedSegment: Int64?

    public init() {}

    /// The event in progress, if any, with its duration so far.
    public var inProgress: DigitEvent? { current?.digitEvent }

    /// Processes one telephone-event packet (RTP marker bit, timestamp and parsed payload).
    public mutating func receive(marker: Bool, timestamp: UInt32, event ev: TelephoneEvent) -> Update {
        let ts = unwrapper.unwrap(timestamp)
        var update = Update()
        if var cur = current {
            if ts == cur.segmentStart && ev.event == cur.event {
                // An update (or end) of the current segment; reordered ones carry smaller durations.
                cur.segmentDuration = max(cur.segmentDuration, Int(ev.duration))
                cur.volume = ev.volume
                current = cur
                if ev.isEnd { update.ended = finish(endSeen: true) }
                return update
            }
            if ev.event == cur.event, !marker, ts > cur.segmentStart, ts <= cur.segmentStart + Int64(UInt16.max) {
                // The next segment of a long-duration event (§2.5.2.3).
                cur.segmentStart = ts
                cur.segmentDuration = Int(ev.duration)
                cur.volume = ev.volume
                current = cur
                if ev.isEnd { update.ended = finish(endSeen: true) }
                return update
            }
            if ts <= cur.segmentStart {
                return update  // stale packet of an older event
            }
            // A newer event: the current one lost its end packets.
            update.interrupted = finish(endSeen: false)
        } else if let last = lastFinishedSegment, ts <= last {
            return update  // retransmitted end packet or late update of a finished event
        }
        current = Current(event: ev.event, start: ts, segmentStart: ts, segmentDuration: Int(ev.duration), volume: ev.volume)
        update.began = ev.event
        if ev.isEnd {
            // Only the end packets got through: a complete event on its own.
            update.ended = finish(endSeen: true)
        }
        return update
    }

    /// Ends an event that has had no end packet for too long: when `now` (an RTP timestamp of the
    /// same stream's clock) is more than `timeout` ticks past the end of what was reported.
    public mutating func expire(now: UInt32, timeout: Int) -> DigitEvent? {
        guard let cur = current else { return nil }
        let lastReported = cur.segmentStart + Int64(cur.segmentDuration)
        let nowExt = lastReported + Int64(SerialNumber.distance(from: UInt32(truncatingIfNeeded: lastReported), to: now))
        guard nowExt - lastReported > Int64(timeout) else { return nil }
        return finish(endSeen: false)
    }

    private mutating func finish(endSeen: Bool) -> DigitEvent? {
        guard let cur = current else { return nil }
        var e = cur.digitEvent
        e.endSeen = endSeen
        lastFinishedSegment = cur.segmentStart
        current = nil
        return e
    }
}
