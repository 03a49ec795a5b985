import Testing
import TimbreAudioFile
import TimbreConference
import TimbreCore
import TimbreTestSupport

@Suite struct ActiveSpeakerDetectorTests {
    /// Real speech (SampleAudio, espeak-ng) framed by silence, against an idle microphone of
    /// noise at −50 dBFS: the talker starts within 300 ms of its first word and stops within
    /// 600 ms of its last, is not dropped between words, and the idle microphone never "speaks".
    @Test(arguments: ["speech-en-male-16k.wav", "speech-fr-16k.wav", "speech-zh-16k.wav"])
    func speechStartsAndStopsNoiseNever(file: String) throws {
        let speech = try AudioFileReader.readMono(path: Fixtures.sampleAudio(file)).samples
        let lead = 16_000
        let talker = [Int16](repeating: 0, count: lead) + speech + [Int16](repeating: 0, count: 16_000)
        // White noise at −50 dBFS RMS: uniform amplitude a has RMS a/√3.
        let idle = noise(count: talker.count, amplitude: Int(32768 * 0.003162 * 1.732), seed: 9)
        var h = BridgeHarness()
        let a = try h.bridge.controller.join(as: .host, sampleRate: .wideband)
        let b = try h.bridge.controller.join(sampleRate: .wideband)
        h.add(a, signal: talker)
        h.add(b, signal: idle)
        h.bridge.applyPendingCommands()
        h.run(frames: talker.count / 320)
        // Ground truth from the file: first and last sample above −40 dBFS.
        let firstLoud = lead + speech.firstIndex { abs(Int32($0)) > 328 }!
        let lastLoud = lead + speech.lastIndex { abs(Int32($0)) > 328 }!
        let speaking = h.events.compactMap { e -> (Double, Bool)? in
            switch e.kind {
            case .speakingStarted(let id) where id == a: return (e.seconds(at: 16_000), true)
            case .speakingStopped(let id) where id == a: return (e.seconds(at: 16_000), false)
            default: return nil
            }
        }
        #expect(!h.events.contains { $0.kind == .speakingStarted(b) })
        let start = try #require(speaking.first)
        let stop = try #require(speaking.last)
        #expect(start.1 && !stop.1)
        #expect(abs(start.0 - Double(firstLoud) / 16_000) <= 0.3)
        #expect(stop.0 - Double(lastLoud) / 16_000 <= 0.6)
        #expect(stop.0 >= Double(lastLoud) / 16_000)
        // Words within a sentence are not split by more than a short pause: at most a few
        // talk spurts over 4.5 s of speech.
        #expect(speaking.count <= 8)
    }

    @Test func hysteresisAndHangover() {
        var d = ActiveSpeakerDetector()
        let loud = 1000.0 * 1000.0  // about −30 dBFS
        let quiet = 10.0 * 10.0  // about −70 dBFS
        #expect(d.update(meanSquare: loud) == nil)
        #expect(d.update(meanSquare: loud) == .started(framesAgo: 1))
        // A 300 ms pause (15 frames) keeps the talker.
        for _ in 0..<15 { #expect(d.update(meanSquare: quiet) == nil) }
        #expect(d.isSpeaking)
        #expect(d.update(meanSquare: loud) == nil)
        var stoppedAfter = 0
        for i in 1...40 where d.update(meanSquare: quiet) == .stopped { stoppedAfter = i }
        #expect(stoppedAfter == 17)  // 340 ms
        #expect(d.silence() == nil)
    }
}

@Suite struct SoftLimiterTests {
    @Test func transparentAtOrBelowMinus6dBFS() {
        var l = SoftLimiter(sampleRate: 16_000, frameSamples: 320)
        let x = (0..<320).map { Int32(-16_423 + ($0 * 103) % 32_847) }
        var y = [Int16](repeating: 0, count: 320)
        x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { l.process(xp.baseAddress!, into: $0.baseAddress!, count: 320) } }
        #expect(y.map { Int32($0) } == x)
    }

    /// A ramp through full scale comes out strictly increasing (no flat top: no hard clip),
    /// below the ceiling, never −32768, even from sums far beyond 16 bits.
    @Test func softAtFullScaleAndBeyond() {
        var l = SoftLimiter(sampleRate: 16_000, frameSamples: 320)
        let x = (0..<320).map { Int32(-40_000 + $0 * 250) }
        var y = [Int16](repeating: 0, count: 320)
        x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { l.process(xp.baseAddress!, into: $0.baseAddress!, count: 320) } }
        #expect(y.allSatisfy { abs(Int32($0)) < SoftLimiter.ceiling })
        #expect(!y.contains(.min))
        for i in 1..<320 { #expect(y[i] > y[i - 1]) }
        // Huge sums (1000 full-scale talkers) stay bounded and keep their sign.
        let big: [Int32] = (0..<320).map { $0 % 2 == 0 ? 32_768_000 : -32_768_000 }
        big.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { l.process(xp.baseAddress!, into: $0.baseAddress!, count: 320) } }
        #expect(y.allSatisfy { abs(Int32($0)) < SoftLimiter.ceiling })
        for i in 0..<320 { #expect((y[i] > 0) == (i % 2 == 0)) }
        #expect(l.gain < 0.001)
        // And recovers to transparency once the mix is quiet again.
        let small = [Int32](repeating: 1000, count: 320)
        for _ in 0..<100 {
            small.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { l.process(xp.baseAddress!, into: $0.baseAddress!, count: 320) } }
        }
        #expect(l.gain == 1)
        #expect(y.allSatisfy { $0 == 1000 })
    }
}
