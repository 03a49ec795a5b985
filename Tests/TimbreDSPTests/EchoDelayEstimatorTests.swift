import Testing
import TimbreCore
import TimbreDSP
import TimbreTestSupport

@Suite struct EchoDelayEstimatorTests {
    /// Runs the estimator over far/near in 20 ms frames; returns the estimate after each update.
    static func run(_ e: inout EchoDelayEstimator, far: [Int16], near: [Int16], rate: Int) -> [(atSample: Int, delay: Int?)] {
        let frame = rate / 50
        var out: [(Int, Int?)] = []
        var i = 0
        while i + frame <= min(far.count, near.count) {
            let updated = far[i..<(i + frame)].withUnsafeBufferPointer { f in
                near[i..<(i + frame)].withUnsafeBufferPointer { n in e.process(far: f, near: n) }
            }
            if updated { out.append((i + frame, e.delaySamples)) }
            i += frame
        }
        return out
    }

    static func echoScenario(rate: Int, delayMs: Double, roomMs: Int?, noise: Double = 0.002, seed: UInt64 = 1) throws -> (far: [Int16], near: [Int16]) {
        let far = try DSPTestSignals.longSpeech(rate: rate, order: ["en-male", "fr"])
        let delay = Int((delayMs * Double(rate) / 1000).rounded())
        let taps = roomMs.map { DSPTestSignals.room(rate: rate, lengthMs: $0, seed: seed) } ?? [(0, 0.5)]
        var near = DSPTestSignals.convolve(far, taps: taps, bulkDelay: delay, count: far.count)
        let n = SignalGenerator.noise(count: far.count, amplitude: noise, seed: seed + 100)
        for i in near.indices { near[i] += Double(n[i]) }
        return (far, DSPTestSignals.toInt16(near))
    }

    @Test(arguments: [(8000, 0.0), (8000, 37.5), (8000, 120), (8000, 300), (16000, 73.25), (16000, 250), (48000, 180.5)])
    func knownBulkDelayWithinTwoMilliseconds(rate: Int, delayMs: Double) throws {
        let s = try Self.echoScenario(rate: rate, delayMs: delayMs, roomMs: nil)
        var e = EchoDelayEstimator(sampleRate: SampleRate(hertz: rate))
        let updates = Self.run(&e, far: s.far, near: s.near, rate: rate)
        let ms = try #require(e.delayMilliseconds)
        #expect(abs(ms - delayMs) <= 2, "estimated \(ms) ms for \(delayMs) ms")
        // Converged early: within the first 2 s.
        let first = try #require(updates.first { $0.delay != nil })
        #expect(first.atSample <= 2 * rate)
    }

    @Test(arguments: [(8000, 90.0, 150), (16000, 200.0, 300), (8000, 10.0, 400)])
    func delayThroughRoomResponseIsTheDirectPath(rate: Int, delayMs: Double, roomMs: Int) throws {
        let s = try Self.echoScenario(rate: rate, delayMs: delayMs, roomMs: roomMs, seed: UInt64(roomMs))
        var e = EchoDelayEstimator(sampleRate: SampleRate(hertz: rate))
        _ = Self.run(&e, far: s.far, near: s.near, rate: rate)
        let ms = try #require(e.delayMilliseconds)
        #expect(abs(ms - delayMs) <= 2, "estimated \(ms) ms for \(delayMs) ms")
    }

    @Test func followsADelayChange() throws {
        let rate = 8000
        let a = try Self.echoScenario(rate: rate, delayMs: 60, roomMs: 100)
        let b = try Self.echoScenario(rate: rate, delayMs: 210, roomMs: 100, seed: 7)
        let half = a.far.count / 2
        let far = a.far
        let near = Array(a.near[..<half]) + Array(b.near[half...])
        var e = EchoDelayEstimator(sampleRate: SampleRate(hertz: rate))
        let updates = Self.run(&e, far: far, near: near, rate: rate)
        let before = try #require(updates.last { $0.atSample <= half }?.delay)
        #expect(abs(before - 480) <= 16)
        // Within 2.5 s of the change the new delay is reported.
        let after = try #require(updates.last { $0.atSample <= half + 5 * rate / 2 }?.delay)
        #expect(abs(after - 1680) <= 16, "reported \(after) samples")
    }

    @Test func reacquireFindsANewDelayWithinASecond() throws {
        let rate = 8000
        let a = try Self.echoScenario(rate: rate, delayMs: 60, roomMs: 100)
        let b = try Self.echoScenario(rate: rate, delayMs: 210, roomMs: 100, seed: 7)
        let half = a.far.count / 2
        let near = Array(a.near[..<half]) + Array(b.near[half...])
        var e = EchoDelayEstimator(sampleRate: SampleRate(hertz: rate))
        _ = Self.run(&e, far: Array(a.far[..<half]), near: Array(near[..<half]), rate: rate)
        #expect(abs((e.delaySamples ?? 0) - 480) <= 16)
        // The change is noticed 0.3 s late (as the canceller's ERLE monitor would).
        let noticed = half + 3 * rate / 10
        _ = Self.run(&e, far: Array(a.far[half..<noticed]), near: Array(near[half..<noticed]), rate: rate)
        #expect(e.reacquisitions == 0 && !e.isReacquiring)
        e.reacquire(keepingRecentSamples: noticed - half)
        #expect(e.reacquisitions == 1 && e.isReacquiring)
        // The old estimate stays reported until the new one is confirmed.
        #expect(abs((e.delaySamples ?? 0) - 480) <= 16)
        let end = noticed + rate
        let updates = Self.run(&e, far: Array(a.far[noticed..<end]), near: Array(near[noticed..<end]), rate: rate)
        let confirmed = try #require(updates.first { abs(($0.delay ?? 0) - 1680) <= 16 }, "new delay within 1 s of reacquire()")
        #expect(confirmed.atSample <= 7 * rate / 10, "confirmed \(confirmed.atSample) samples after reacquire()")
        #expect(!e.isReacquiring)
        e.reset()
        #expect(e.reacquisitions == 0 && !e.isReacquiring && e.delaySamples == nil)
    }

    @Test func noEstimateWithoutCorrelation() {
        let rate = 8000
        let far = SignalGenerator.noise(count: rate * 6, amplitude: 0.2, seed: 1)
        let near = SignalGenerator.noise(count: rate * 6, amplitude: 0.2, seed: 2)
        var e = EchoDelayEstimator(sampleRate: SampleRate(hertz: rate))
        _ = Self.run(&e, far: far, near: near, rate: rate)
        #expect(e.delaySamples == nil)
        // Silent far end: no updates at all.
        var e2 = EchoDelayEstimator(sampleRate: SampleRate(hertz: rate))
        _ = Self.run(&e2, far: [Int16](repeating: 0, count: rate * 3), near: near, rate: rate)
        #expect(e2.updates == 0)
    }

    @Test func doubleTalkDoesNotMoveTheEstimate() throws {
        let rate = 16000
        let s = try Self.echoScenario(rate: rate, delayMs: 140, roomMs: 200)
        let talker = try DSPTestSignals.longSpeech(rate: rate, order: ["zh", "en-female"])
        // Near-end talker as loud as the echo over the second half.
        let half = s.near.count / 2
        var near = s.near
        for i in half..<near.count where i - half < talker.count {
            near[i] = Int16(clamping: Int(near[i]) + Int(talker[i - half]) / 2)
        }
        var e = EchoDelayEstimator(sampleRate: SampleRate(hertz: rate))
        let updates = Self.run(&e, far: s.far, near: near, rate: rate)
        for u in updates where u.atSample > 2 * rate {
            if let d = u.delay { #expect(abs(d - 2240) <= 32, "at \(u.atSample): \(d)") }
        }
    }

    @Test func resetForgets() throws {
        let s = try Self.echoScenario(rate: 8000, delayMs: 50, roomMs: nil)
        var e = EchoDelayEstimator(sampleRate: .narrowband)
        _ = Self.run(&e, far: s.far, near: s.near, rate: 8000)
        #expect(e.delaySamples != nil)
        e.reset()
        #expect(e.delaySamples == nil && e.updates == 0)
    }
}
