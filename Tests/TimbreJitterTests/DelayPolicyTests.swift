import Testing
import TimbreCodecs
import TimbreCore
import TimbreTestSupport

@testable import TimbreJitter

/// The delay policy: what the target follows (a high quantile of the jitter, not rare stalls)
/// and where the buffer changes its delay (in pauses, not inside speech).
@Suite struct DelayPolicyTests {
    @Test func targetConvergesToTheJittersHighQuantile() {
        // Relative delays spread evenly over 0…40 ms: the 97th percentile is ≈ 39 ms, which the
        // estimator reports as the top of its 5 ms bucket.
        var estimator = TargetDelayEstimator()
        for i in 0..<3000 {
            let jitter = Double((i * 37) % 41)
            estimator.update(transitMilliseconds: 50 + jitter)
        }
        #expect(estimator.jitterMilliseconds >= 35 && estimator.jitterMilliseconds <= 45, "\(estimator.jitterMilliseconds)")
    }

    @Test func rareStallsDoNotRaiseTheTarget() {
        // 0…10 ms of jitter with a 400 ms stall every 10 s whose queued packets arrive together.
        // Read just after the sixth stall, when its packets weigh most in the histogram.
        func run(_ estimator: inout TargetDelayEstimator) {
            for i in 0..<2520 {
                var relative = Double((i * 7) % 11)
                let intoStall = i % 500
                if intoStall < 20 { relative = Double(400 - 20 * intoStall) }
                estimator.update(transitMilliseconds: 30 + relative)
            }
        }
        var withPeaks = TargetDelayEstimator()
        run(&withPeaks)
        var coveringEverything = TargetDelayEstimator(peakMilliseconds: .infinity)
        run(&coveringEverything)
        // The stall's release (under 120 ms) is 1 % of packets: the target stays at the jitter.
        #expect(withPeaks.jitterMilliseconds <= 15, "\(withPeaks.jitterMilliseconds)")
        #expect(coveringEverything.jitterMilliseconds >= 100, "\(coveringEverything.jitterMilliseconds)")
    }

    @Test func quietFramesAreLengthenedByTheLongestSpan() {
        let stretcher = TimeStretcher(sampleRate: 8000)
        let pause = [Int16](repeating: 3, count: 160)
        var out = [Int16](repeating: 0, count: 160 + stretcher.maximumLag)
        let written = pause.withUnsafeBufferPointer { y in
            out.withUnsafeMutableBufferPointer { stretcher.expand(y, into: $0, allowVoiced: false) }
        }
        // 160 samples with a 40-sample overlap allow a 120-sample (15 ms) repeat.
        #expect(written == 280)
        #expect(out[0..<written].allSatisfy { $0 == 3 })
    }

    @Test func delayChangesOnlyInPauses() {
        // The first 200 ms arrive in one burst after a 200 ms stall, so the buffer starts well
        // above its target and must accelerate; later jitter makes it expand and accelerate
        // again. Every stretched frame must lie in one of the signal's 0.3 s pauses.
        let signal = TestStreams.voice(seconds: 12)
        var rng = SeededRandom(seed: 21)
        var arrivals: [(time: UInt64, index: Int)] = []
        for i in 0..<550 {
            var ms = Double(i) * 20 + 30 + Double(rng.next() % 25)
            if i < 10 { ms = 230 }
            arrivals.append((UInt64(ms * 1_000_000), i))
        }
        arrivals.sort { $0.time < $1.time }
        var jb = TestStreams.buffer()
        var out = [Int16](repeating: 0, count: 160)
        var next = 0
        var stretchedFrames = 0
        var outsidePauses: [Double] = []
        for tick in 0..<700 {
            let now = UInt64(tick) * 20_000_000
            while next < arrivals.count && arrivals[next].time <= now {
                _ = jb.insert(TestStreams.packet(signal, arrivals[next].index, seq0: 0, ts0: 0), arrivalTime: arrivals[next].time)
                next += 1
            }
            let r = out.withUnsafeMutableBufferPointer { jb.pull(into: $0, now: now) }
            guard r.activity == .accelerated || r.activity == .preemptiveExpanded, let ts = r.timestamp else { continue }
            stretchedFrames += 1
            // The stretched frame starts within a frame of this pull's first sample.
            let seconds = Double(ts) / 8000
            let phase = seconds.truncatingRemainder(dividingBy: 1.3)
            if phase < 1.0 - 0.05 { outsidePauses.append(seconds) }
        }
        #expect(jb.statistics.removedSamplesForAcceleration >= 100 * 8)
        #expect(stretchedFrames > 0)
        #expect(outsidePauses.isEmpty, "stretched inside speech at \(outsidePauses) s")
    }

    @Test func packetLateForAnEmptyBufferIsStillPlayed() {
        // From frame 150 on, every packet is a frame later than before: the buffer runs dry,
        // conceals while holding its position, and plays frame 150 when it comes instead of
        // dropping it.
        let signal = TestStreams.voice(seconds: 8)
        let trace = TestStreams.steadyTrace(frames: 300) { seq, arrival in
            if seq >= 150 { arrival! += 20 }
        }
        let r = TestStreams.simulate(trace, signal: signal)
        #expect(r.statistics.packetsDiscarded == 0)
        #expect(r.statistics.packetsLost == 0)
        #expect(r.statistics.concealmentEvents <= 1)
        #expect(r.statistics.totalSamplesReceived == r.output.count)
    }
}
