import Testing
import TimbreConference
import TimbreCore

/// The bridge's mixing path against a straightforward model of what it must compute: a 32-bit
/// sum of every talker, and for each listener its own `SoftLimiter` over `sum − own input`
/// (the full mix through the bridge's full-mix limiter), with speaker detection fed the energy
/// of `x >> 4` per sample. The bridge takes shortcuts (a 16-bit sum with an overflow test, a
/// wrapping 16-bit mix-minus when peaks prove it exact, energy from the summing pass); every
/// shortcut must give the same samples and the same events as the model, sample for sample,
/// including frames that wrap 16 bits, clip and drive the limiters.
@Suite struct MixReferenceTests {
    /// One frame per talker: silent, idle-microphone, speech-level, loud or full-scale
    /// (Int16.min included), chosen at random per talker and frame, so frames fall on every path.
    static func frame(count: Int, using rng: inout SeededRandomSource) -> [Int16] {
        switch rng.next() % 8 {
        case 0: return [Int16](repeating: 0, count: count)
        case 1: return noiseFrame(count: count, shift: 10, using: &rng)  // ±32
        case 2, 3: return noiseFrame(count: count, shift: 3, using: &rng)  // ±4096
        case 4, 5: return noiseFrame(count: count, shift: 1, using: &rng)  // ±16384
        case 6: return noiseFrame(count: count, shift: 0, using: &rng)  // full scale
        default:
            let level: Int16 = rng.next() % 2 == 0 ? 32_000 : -32_000
            return (0..<count).map { i in i % 7 == 0 ? Int16.min : level }
        }
    }

    /// Uniform noise of amplitude 2^(15 − shift), four samples per random word (fast in debug builds).
    static func noiseFrame(count: Int, shift: Int16, using rng: inout SeededRandomSource) -> [Int16] {
        var out = [Int16](repeating: 0, count: count)
        var i = 0
        while i < count {
            var word = rng.next()
            for _ in 0..<4 where i < count {
                out[i] = Int16(truncatingIfNeeded: word) >> shift
                word >>= 16
                i += 1
            }
        }
        return out
    }

    /// The model's level for the speaker detector: Σ (x >> 4)², scaled back by 2^8.
    static func energy(_ x: [Int16]) -> Int64 {
        var e: Int64 = 0
        for v in x {
            let q = Int64(v >> 4)
            e += q * q
        }
        return e << 8
    }

    @Test(arguments: [2, 3, 7, 24])
    func bridgeMatchesTheStraightforwardModel(talkers n: Int) throws {
        var config = BridgeConfiguration()
        config.maximumParticipants = n
        config.topK = .always(k: n)
        let bridge = MixMinusBridge(configuration: config)
        var ids: [ParticipantID] = []
        for i in 0..<n { ids.append(try bridge.controller.join(as: i == 0 ? .host : .member, sampleRate: .wideband)) }
        bridge.applyPendingCommands()
        let f = bridge.frameSamples

        var rng = SeededRandomSource(seed: UInt64(n) &* 977)
        let blank = SoftLimiter(sampleRate: 16_000, frameSamples: f)
        var fullLimiter = blank
        var limiters = [SoftLimiter](repeating: blank, count: n)
        var detectors = [ActiveSpeakerDetector](repeating: ActiveSpeakerDetector(), count: n)
        var expectedEvents: [ConferenceEvent] = []
        var events: [ConferenceEvent] = []
        var sum = [Int32](repeating: 0, count: f)
        var minus = [Int32](repeating: 0, count: f)
        var expected = [Int16](repeating: 0, count: f)
        var outputMismatches = 0
        var fullMismatches = 0
        var limitedFrames = 0

        for frameIndex in 0..<200 {
            // Cycles of 40 frames: everyone at speech level, then the even talkers silent while
            // the others draw random frames, then everyone random — so detectors start and
            // stop and limiters attack and recover.
            let phase = frameIndex % 40
            let frames = (0..<n).map { i in
                phase < 10
                    ? MixReferenceTests.noiseFrame(count: f, shift: 4, using: &rng)
                    : phase < 30 && i % 2 == 0
                        ? [Int16](repeating: 0, count: f) : MixReferenceTests.frame(count: f, using: &rng)
            }
            for i in 0..<n { frames[i].withUnsafeBufferPointer { _ = bridge.write($0, from: ids[i]) } }
            bridge.mix()

            // The model.
            let now = Int64(frameIndex * f)
            for i in 0..<n {
                let e = MixReferenceTests.energy(frames[i])
                switch detectors[i].update(meanSquare: Double(e) / Double(f)) {
                case .started(let ago)?: expectedEvents.append(ConferenceEvent(kind: .speakingStarted(ids[i]), sampleTime: now - Int64(ago * f)))
                case .stopped?: expectedEvents.append(ConferenceEvent(kind: .speakingStopped(ids[i]), sampleTime: now))
                case nil: break
                }
            }
            for k in 0..<f { sum[k] = 0 }
            for x in frames { for k in 0..<f { sum[k] += Int32(x[k]) } }
            let fullTransparent = fullLimiter.process(sum, into: &expected, count: f)
            if !fullTransparent { limitedFrames += 1 }
            if Array(bridge.fullMixFrame) != expected { fullMismatches += 1 }
            for i in 0..<n {
                for k in 0..<f { minus[k] = sum[k] - Int32(frames[i][k]) }
                limiters[i].process(minus, into: &expected, count: f)
                let heard = bridge.outputFrame(for: ids[i]).map(Array.init) ?? []
                if heard != expected { outputMismatches += 1 }
            }
            while let e = bridge.nextEvent() { events.append(e) }
        }
        #expect(outputMismatches == 0)
        #expect(fullMismatches == 0)
        #expect(events == expectedEvents)
        // The run exercised the limiter and the detectors, not only the quiet path.
        #expect(limitedFrames > 20)
        #expect(expectedEvents.count >= 4)
    }
}

extension SoftLimiter {
    /// Array convenience for the model.
    @discardableResult
    fileprivate mutating func process(_ input: [Int32], into output: inout [Int16], count: Int) -> Bool {
        input.withUnsafeBufferPointer { i in
            output.withUnsafeMutableBufferPointer { o in process(i.baseAddress!, into: o.baseAddress!, count: count) }
        }
    }
}
