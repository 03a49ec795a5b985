#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The playout clock: ticks every frame period from a monotonic time base, without drift.
///
/// Deadlines are computed as `start + n × period` rather than by adding the period to the last
/// wake-up, so lateness in one tick never accumulates. Two sources: `.monotonic` reads
/// `CLOCK_MONOTONIC` (the media threads), `.manual` advances only when told (tests and offline
/// tools such as `timbre netsim`, so nothing ever sleeps or depends on wall time).
public struct MediaClock: Sendable {
    public enum Source: Sendable {
        case monotonic
        case manual
    }

    public let period: FrameDuration
    public let source: Source
    /// Ticks completed so far.
    public private(set) var tickCount: UInt64 = 0
    private var startNanoseconds: UInt64
    private var manualNanoseconds: UInt64 = 0

    public init(period: FrameDuration, source: Source = .monotonic) {
        self.period = period
        self.source = source
        self.startNanoseconds = source == .monotonic ? MediaClock.monotonicNanoseconds() : 0
    }

    /// Period in nanoseconds.
    @inlinable public var periodNanoseconds: UInt64 { UInt64(period.milliseconds) * 1_000_000 }

    /// Current time on this clock, in nanoseconds since it started.
    public var now: UInt64 {
        switch source {
        case .monotonic: return MediaClock.monotonicNanoseconds() &- startNanoseconds
        case .manual: return manualNanoseconds
        }
    }

    /// Elapsed media time in milliseconds (ticks × period), the time the audio has reached.
    public var mediaTimeMilliseconds: UInt64 { tickCount * UInt64(period.milliseconds) }

    /// Deadline of the next tick, in nanoseconds since start.
    public var nextDeadline: UInt64 { (tickCount + 1) * periodNanoseconds }

    /// How far `now` is past the next deadline (0 when early): a media tick overrun measure.
    public var lateness: UInt64 {
        let n = now
        let d = nextDeadline
        return n > d ? n - d : 0
    }

    /// Marks one tick done. For `.manual` clocks this also advances time by one period.
    public mutating func tick() {
        tickCount += 1
        if source == .manual { manualNanoseconds = tickCount * periodNanoseconds }
    }

    /// Sleeps until the next deadline (monotonic clocks only; a no-op when already late),
    /// then counts the tick. Use on a dedicated media thread, never on a cooperative pool.
    public mutating func waitForNextTick() {
        if source == .monotonic {
            let deadline = startNanoseconds &+ nextDeadline
            var ts = timespec(
                tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
            while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nil) == EINTR {}
        }
        tick()
    }

    /// Reads `CLOCK_MONOTONIC` in nanoseconds.
    public static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
