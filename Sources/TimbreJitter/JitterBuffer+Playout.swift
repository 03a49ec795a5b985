public import TimbreCore

extension JitterBuffer {
    /// Fills `out` (exactly `outputDuration` of samples) with the next audio to play, at playout
    /// time `now` (nanoseconds on the receiver's clock). Allocation-free.
    public mutating func pull(into out: UnsafeMutableBufferPointer<Int16>, now: UInt64) -> PullResult {
        precondition(out.count == outputSamples, "pull takes exactly one output frame")
        setNow(now)
        if !hasStarted {
            guard shouldStart() else {
                out.update(repeating: 0)
                return PullResult(activity: .notStarted, timestamp: nil)
            }
            beginPlayout()
        }
        updateFilteredLevel()
        var activity = Activity.normal
        var guardCount = 0
        while syncCount < outputSamples && guardCount < 64 {
            activity = produce()
            guardCount += 1
        }
        return consume(into: out, activity: activity)
    }

    /// `pull` into an `AudioFrame` of the configured output duration.
    public mutating func pull(into frame: inout AudioFrame, now: UInt64) -> PullResult {
        frame.withUnsafeMutableSamples { pull(into: $0, now: now) }
    }
}
