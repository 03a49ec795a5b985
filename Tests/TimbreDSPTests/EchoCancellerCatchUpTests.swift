import Testing
import TimbreCore
import TimbreDSP
import TimbreTestSupport

/// Convergence at the start and after echo-path changes: the history replay (catch-up) and the
/// ERLE-driven delay reacquisition of `EchoCanceller`.
@Suite struct EchoCancellerCatchUpTests {
    typealias Scenario = EchoCancellerTests.Scenario

    /// Echo of `before` until `seconds`, of `after` from then on (same far end).
    static func changing(_ before: Scenario, to after: Scenario, at seconds: Double) -> Scenario {
        var s = before
        for k in Int(seconds * Double(s.rate))..<s.echo.count { s.echo[k] = after.echo[k] }
        return s
    }

    /// Feeds frames [from, to) (in samples) of `s` to `c`, writing `out`.
    static func feed(_ c: EchoCanceller, _ s: Scenario, near: [Int16], into out: inout [Int16], from: Int, to: Int) {
        let n = c.frameSamples
        var i = from
        while i + n <= to {
            s.far[i..<(i + n)].withUnsafeBufferPointer { f in
                near[i..<(i + n)].withUnsafeBufferPointer { m in
                    out[i..<(i + n)].withUnsafeMutableBufferPointer { o in _ = c.process(far: f, near: m, output: o) }
                }
            }
            i += n
        }
    }

    @Test(arguments: [(8000, 230), (16000, 40), (48000, 220)])
    func convergesWithinTwoSecondsOfADelayChange(rate: Int, newDelayMs: Int) throws {
        let a = try EchoCancellerTests.scenario(rate: rate, delayMs: 100, roomMs: 100, seed: 1)
        let b = try EchoCancellerTests.scenario(rate: rate, delayMs: newDelayMs, roomMs: 150, seed: 2)
        let s = Self.changing(a, to: b, at: 8)
        let r = try EchoCancellerTests.cancel(s)
        #expect(EchoCancellerTests.erle(s, r.out, from: 4, to: 8) >= 15)
        // Cancelling again from 1.5 s after the change.
        let after = EchoCancellerTests.erle(s, r.out, from: 9.5, to: 12)
        #expect(after >= 15, "ERLE \(after) dB 1.5–4 s after the change to \(newDelayMs) ms")
        #expect(r.canceller.pathChanges >= 1)
        #expect(r.canceller.delayEstimator.reacquisitions == r.canceller.pathChanges)
        #expect(r.canceller.replays >= 2)
        #expect(!r.canceller.isCatchingUp)
        let applied = Double(r.canceller.appliedDelaySamples) * 1000 / Double(rate)
        #expect(abs(applied - Double(newDelayMs - 20)) <= 3, "applied \(applied) ms")
    }

    @Test func recoversWithinTwoSecondsOfARoomChangeAtTheSameDelay() throws {
        let a = try EchoCancellerTests.scenario(rate: 16000, delayMs: 120, roomMs: 100, seed: 3)
        let b = try EchoCancellerTests.scenario(rate: 16000, delayMs: 120, roomMs: 180, seed: 4)
        let s = Self.changing(a, to: b, at: 8)
        let r = try EchoCancellerTests.cancel(s)
        let after = EchoCancellerTests.erle(s, r.out, from: 9.5, to: 12)
        #expect(after >= 15, "ERLE \(after) dB after the room change")
    }

    @Test(arguments: [(16000, 250, 150), (48000, 200, 400), (8000, 300, 250)])
    func cancelsWithinOneAndAHalfSecondsOfTheStart(rate: Int, delayMs: Int, roomMs: Int) throws {
        let s = try EchoCancellerTests.scenario(rate: rate, delayMs: delayMs, roomMs: roomMs, files: ["en-male", "fr"])
        let r = try EchoCancellerTests.cancel(s)
        let early = EchoCancellerTests.erle(s, r.out, from: 1.5, to: 3.5)
        #expect(early >= 15, "ERLE \(early) dB from 1.5 s")
        #expect(r.canceller.replays >= 1)
    }

    /// The same canceller state at a known delay, realigned with and without the replay: the
    /// replayed filter cancels from the first frame on.
    @Test func replayPrimesTheRestartedFilter() throws {
        let rate = 8000
        let s = try EchoCancellerTests.scenario(rate: rate, delayMs: 150, roomMs: 100, files: ["en-male", "fr"])
        var config = EchoCanceller.Configuration()
        config.delayEstimation = false  // the alignment comes from `realign` only
        let near = s.near
        var results: [Double] = []
        for replay in [true, false] {
            let c = try EchoCanceller(sampleRate: .narrowband, configuration: config)
            var out = [Int16](repeating: 0, count: near.count)
            Self.feed(c, s, near: near, into: &out, from: 0, to: 3 * rate)
            try c.realign(delaySamples: 130 * rate / 1000, replayingFrames: replay ? c.historyFrames : 0)
            #expect(c.appliedDelaySamples == 130 * rate / 1000)
            #expect(c.replays == (replay ? 1 : 0))
            Self.feed(c, s, near: near, into: &out, from: 3 * rate, to: 4 * rate)
            results.append(EchoCancellerTests.erle(s, out, from: 3, to: 3.5))
        }
        #expect(results[0] >= 15, "replayed: \(results[0]) dB")
        #expect(results[0] >= results[1] + 6, "replayed \(results[0]) dB, not replayed \(results[1]) dB")
    }

    @Test func replayBeyondTheHistoryIsATypedError() throws {
        var manual = EchoCanceller.Configuration()
        manual.delayEstimation = false  // no replays of its own
        let c = try EchoCanceller(sampleRate: .narrowband, configuration: manual)
        #expect(c.historyFrames == 40)
        #expect(throws: EchoCancellerError.replayOutOfRange(requestedFrames: 1, availableFrames: 0)) {
            try c.realign(delaySamples: 0, replayingFrames: 1)
        }
        let s = try EchoCancellerTests.scenario(rate: 8000, delayMs: 100, roomMs: 50, files: ["fr"])
        var out = [Int16](repeating: 0, count: s.far.count)
        Self.feed(c, s, near: s.near, into: &out, from: 0, to: 8000 / 2)
        #expect(throws: EchoCancellerError.replayOutOfRange(requestedFrames: 26, availableFrames: 25)) {
            try c.realign(delaySamples: 0, replayingFrames: 26)
        }
        Self.feed(c, s, near: s.near, into: &out, from: 8000 / 2, to: 8000 * 2)
        #expect(throws: EchoCancellerError.replayOutOfRange(requestedFrames: 41, availableFrames: 40)) {
            try c.realign(delaySamples: 0, replayingFrames: 41)
        }
        #expect(throws: EchoCancellerError.replayOutOfRange(requestedFrames: -1, availableFrames: 40)) {
            try c.realign(delaySamples: 0, replayingFrames: -1)
        }
        let maximum = c.delayEstimator.maxDelaySamples
        #expect(throws: EchoCancellerError.alignmentOutOfRange(samples: maximum + 1, maximum: maximum)) {
            try c.realign(delaySamples: maximum + 1, replayingFrames: 10)
        }
        #expect(throws: EchoCancellerError.alignmentOutOfRange(samples: -8, maximum: maximum)) {
            try c.realign(delaySamples: -8, replayingFrames: 10)
        }
        // Errors leave the state alone; a valid request replays.
        #expect(c.replays == 0)
        try c.realign(delaySamples: 800, replayingFrames: 40)
        #expect(c.replays == 1 && c.appliedDelaySamples == 800)

        var config = EchoCanceller.Configuration()
        config.historyMilliseconds = 2500
        #expect(throws: EchoCancellerError.historyOutOfRange(milliseconds: 2500)) {
            try EchoCanceller(sampleRate: .narrowband, configuration: config)
        }
        config.historyMilliseconds = 0
        let none = try EchoCanceller(sampleRate: .narrowband, configuration: config)
        Self.feed(none, s, near: s.near, into: &out, from: 0, to: 8000)
        #expect(throws: EchoCancellerError.replayOutOfRange(requestedFrames: 1, availableFrames: 0)) {
            try none.realign(delaySamples: 0, replayingFrames: 1)
        }
    }

    @Test func resetClearsTheCatchUpState() throws {
        let a = try EchoCancellerTests.scenario(rate: 8000, delayMs: 100, roomMs: 100, seed: 1)
        let b = try EchoCancellerTests.scenario(rate: 8000, delayMs: 230, roomMs: 150, seed: 2)
        let s = Self.changing(a, to: b, at: 6)
        let near = s.near
        let c = try EchoCanceller(sampleRate: .narrowband)
        var first = [Int16](repeating: 0, count: near.count)
        Self.feed(c, s, near: near, into: &first, from: 0, to: 6 * 8000 + 4000)
        #expect(c.pathChanges >= 1 && c.replays >= 1)
        c.reset()
        #expect(c.pathChanges == 0 && c.replays == 0 && c.filterRestarts == 0 && !c.isCatchingUp)
        #expect(c.delayEstimator.reacquisitions == 0 && !c.delayEstimator.isReacquiring)
        #expect(c.estimatedDelayMilliseconds == nil && c.appliedDelaySamples == 0)
        // Nothing of the old call survives: the same input gives the same output as at first.
        #expect(throws: EchoCancellerError.replayOutOfRange(requestedFrames: 1, availableFrames: 0)) {
            try c.realign(delaySamples: 0, replayingFrames: 1)
        }
        var second = [Int16](repeating: 0, count: near.count)
        Self.feed(c, s, near: near, into: &second, from: 0, to: 6 * 8000 + 4000)
        #expect(first == second)
    }
}
