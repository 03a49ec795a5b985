import TimbreCore

/// Fixed-size frames in, fixed-size frames out: the resampler for the real-time path, where
/// every 20 ms tick must produce exactly one frame at the other rate.
///
/// libsamplerate's output per call varies by a sample or two and starts short (its filter looks
/// ahead), so output goes through a small FIFO primed with `primingFrames` of silence. The
/// stream's delay is therefore constant: `latencyFrames` output frames (priming plus the
/// filter's look-ahead), which offline tools compensate. Allocation-free after `init`.
public final class FrameResampler {
    public let inputFrameSize: Int
    public let outputFrameSize: Int
    /// Output samples of delay this stage adds, constant for the life of the stream.
    public let latencyFrames: Int
    private let resampler: Resampler
    private var fifo: [Int16]
    private var fifoCount = 0
    private var scratch: [Int16]
    private let primingFrames: Int

    public init(
        inputRate: SampleRate, outputRate: SampleRate, frameDuration: FrameDuration,
        quality: Resampler.Quality = .fastest
    ) throws(Resampler.Failure) {
        inputFrameSize = frameDuration.samples(at: inputRate)
        outputFrameSize = frameDuration.samples(at: outputRate)
        resampler = try Resampler(
            inputRate: inputRate.hertz, outputRate: outputRate.hertz, quality: quality,
            maximumInputFrames: inputFrameSize)
        // Measure the converter's look-ahead once, on a throwaway instance: after a run of
        // frames, how many output samples it still holds back. Priming the FIFO with that many
        // (plus two for the ±1-sample wobble per call) means it never runs dry, and the stage's
        // delay is exactly the priming.
        var lookAhead = outputFrameSize
        if let probe = try? Resampler(
            inputRate: inputRate.hertz, outputRate: outputRate.hertz, quality: quality,
            maximumInputFrames: inputFrameSize)
        {
            let input = [Int16](repeating: 0, count: inputFrameSize)
            var out = [Int16](repeating: 0, count: probe.maximumOutputFrames)
            var produced = 0
            for _ in 0..<20 {
                produced += (try? input.withUnsafeBufferPointer { i in
                    try out.withUnsafeMutableBufferPointer { try probe.process(i, into: $0) }
                }) ?? 0
            }
            lookAhead = max(0, 20 * outputFrameSize - produced)
        }
        primingFrames = lookAhead + 2
        latencyFrames = primingFrames
        fifo = [Int16](repeating: 0, count: outputFrameSize * 4 + primingFrames + resampler.maximumOutputFrames)
        scratch = [Int16](repeating: 0, count: resampler.maximumOutputFrames)
        fifoCount = primingFrames
    }

    /// Converts one input frame (`inputFrameSize` samples) into one output frame
    /// (`outputFrameSize` samples).
    public func process(_ input: UnsafeBufferPointer<Int16>, into output: UnsafeMutableBufferPointer<Int16>) {
        precondition(input.count == inputFrameSize && output.count >= outputFrameSize, "frame size mismatch")
        let produced = (try? scratch.withUnsafeMutableBufferPointer { try resampler.process(input, into: $0) }) ?? 0
        let room = fifo.count - fifoCount
        let accepted = min(produced, room)
        fifo.withUnsafeMutableBufferPointer { f in
            scratch.withUnsafeBufferPointer { s in
                for i in 0..<accepted { f[fifoCount + i] = s[i] }
            }
        }
        fifoCount += accepted
        let take = min(outputFrameSize, fifoCount)
        fifo.withUnsafeMutableBufferPointer { f in
            for i in 0..<take { output[i] = f[i] }
            for i in take..<outputFrameSize { output[i] = 0 }
            // Shift the remainder down (a few hundred samples at most).
            let rest = fifoCount - take
            for i in 0..<rest { f[i] = f[take + i] }
        }
        fifoCount -= take
    }

    /// Forgets history and re-primes (a new stream).
    public func reset() {
        resampler.reset()
        fifoCount = primingFrames
        fifo.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    }
}
