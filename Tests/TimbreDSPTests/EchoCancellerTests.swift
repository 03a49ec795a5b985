import Testing
import TimbreCore
import TimbreDSP
import TimbreTestSupport

#if canImport(Glibc)
import Glibc
#endif

@Suite struct EchoCancellerTests {
    struct Scenario {
        var rate: Int
        var far: [Int16]
        var echo: [Double]  // echo component of the microphone signal
        var talker: [Double]  // near-end speech component (zeros where none)
        var noise: [Double]
        var near: [Int16] { DSPTestSignals.toInt16(zip(zip(echo, talker), noise).map { $0.0 + $0.1 + $1 }) }
    }

    /// Far-end speech (~18 s) through `room` after `delayMs`, plus −60 dBov noise.
    static func scenario(rate: Int, delayMs: Int, roomMs: Int, seed: UInt64 = 1, files: [String] = DSPTestSignals.speechNames) throws -> Scenario {
        let far = try DSPTestSignals.longSpeech(rate: rate, order: files)
        let taps = DSPTestSignals.room(rate: rate, lengthMs: roomMs, seed: seed)
        let echo = DSPTestSignals.convolve(far, taps: taps, bulkDelay: delayMs * rate / 1000, count: far.count)
        let noise = SignalGenerator.noise(count: far.count, amplitude: 0.0017, seed: seed + 50).map(Double.init)
        return Scenario(rate: rate, far: far, echo: echo, talker: [Double](repeating: 0, count: far.count), noise: noise)
    }

    /// Runs the canceller in 20 ms frames over the whole scenario.
    static func cancel(_ s: Scenario, configuration: EchoCanceller.Configuration = .init(), frame: FrameDuration = .ms20) throws -> (out: [Int16], canceller: EchoCanceller) {
        let c = try EchoCanceller(sampleRate: SampleRate(hertz: s.rate), frameDuration: frame, configuration: configuration)
        let near = s.near
        var out = [Int16](repeating: 0, count: near.count)
        let n = c.frameSamples
        var i = 0
        while i + n <= near.count {
            s.far[i..<(i + n)].withUnsafeBufferPointer { f in
                near[i..<(i + n)].withUnsafeBufferPointer { m in
                    out[i..<(i + n)].withUnsafeMutableBufferPointer { o in _ = c.process(far: f, near: m, output: o) }
                }
            }
            i += n
        }
        return (out, c)
    }

    /// ERLE in dB over [from, to) seconds, counting only 20 ms frames where the echo is
    /// present and no near-end talker is: 10·log10(Σ mic² / Σ out²).
    static func erle(_ s: Scenario, _ out: [Int16], from: Double, to: Double) -> Double {
        let n = s.rate / 50
        let near = s.near
        var a = 0.0, b = 0.0
        var i = Int(from * Double(s.rate)) / n * n
        while i + n <= min(out.count, Int(to * Double(s.rate))) {
            var echoPower = 0.0, talkPower = 0.0
            for k in i..<(i + n) {
                echoPower += s.echo[k] * s.echo[k]
                talkPower += s.talker[k] * s.talker[k]
            }
            if echoPower / Double(n) > 100 * 100 && talkPower == 0 {
                a += DSPTestSignals.power(near[i..<(i + n)])
                b += DSPTestSignals.power(out[i..<(i + n)])
            }
            i += n
        }
        return 10 * log10(a / max(b, 1))
    }

    @Test(arguments: [(8000, 250, 100), (16000, 120, 150)])
    func alignedCancellerBeatsPlainMDFOnBulkDelay(rate: Int, delayMs: Int, roomMs: Int) throws {
        let s = try Self.scenario(rate: rate, delayMs: delayMs, roomMs: roomMs)
        var plain = EchoCanceller.Configuration()
        plain.delayEstimation = false
        let ours = try Self.cancel(s)
        let theirs = try Self.cancel(s, configuration: plain)
        let erleOurs = Self.erle(s, ours.out, from: 4, to: 18)
        let erlePlain = Self.erle(s, theirs.out, from: 4, to: 18)
        #expect(erleOurs >= 20, "ERLE \(erleOurs) dB")
        #expect(erleOurs >= erlePlain + 6, "ours \(erleOurs) dB, plain MDF \(erlePlain) dB")
        let applied = Double(ours.canceller.appliedDelaySamples) * 1000 / Double(rate)
        #expect(applied <= Double(delayMs) && applied >= Double(delayMs) - 10)
        #expect(ours.out.count == s.near.count)
    }

    @Test func convergesWithinTwoSeconds() throws {
        let s = try Self.scenario(rate: 8000, delayMs: 180, roomMs: 120)
        let r = try Self.cancel(s)
        #expect(Self.erle(s, r.out, from: 2, to: 4) >= 15)
    }

    @Test func nearEndSpeechSurvivesDoubleTalk() throws {
        var s = try Self.scenario(rate: 8000, delayMs: 100, roomMs: 100)
        let talker = try DSPTestSignals.speech("zh", rate: 8000)
        // Near talker at the echo's level from 8 s to 12.5 s.
        let start = 8 * s.rate
        for (k, v) in talker.enumerated() where start + k < s.talker.count { s.talker[start + k] = Double(v) * 0.5 }
        let r = try Self.cancel(s)
        // During double talk: the output keeps the talker (correlation with the clean talker, and
        // power no more than 6 dB below it).
        let span = start..<(start + talker.count)
        var dot = 0.0, tt = 0.0, oo = 0.0
        let lag = r.canceller.latencySamples
        for k in span {
            dot += Double(r.out[k + lag]) * s.talker[k]
            tt += s.talker[k] * s.talker[k]
            oo += Double(r.out[k + lag]) * Double(r.out[k + lag])
        }
        let correlation = dot / (tt * oo).squareRoot()
        #expect(correlation > 0.7, "correlation \(correlation)")
        #expect(10 * log10(oo / tt) > -6)
        // And the filter has not diverged: echo-only ERLE after the double talk stays high.
        #expect(Self.erle(s, r.out, from: 13, to: 18) >= 15)
    }

    @Test(arguments: [100, 230])
    func recoversAfterAnEchoPathChange(newDelayMs: Int) throws {
        let a = try Self.scenario(rate: 8000, delayMs: 100, roomMs: 100, seed: 1)
        let b = try Self.scenario(rate: 8000, delayMs: newDelayMs, roomMs: 150, seed: 2)
        let change = 8 * 8000
        var s = a
        for k in change..<s.echo.count { s.echo[k] = b.echo[k] }
        let r = try Self.cancel(s)
        #expect(Self.erle(s, r.out, from: 4, to: 8) >= 15)
        // 2.5 s after the change the echo is cancelled again.
        #expect(Self.erle(s, r.out, from: 10.5, to: 18) >= 15, "new delay \(newDelayMs)")
    }

    @Test func tracksFiftyPPMClockSkew() throws {
        var s = try Self.scenario(rate: 8000, delayMs: 150, roomMs: 100)
        // Re-render the echo from a far end played 50 ppm fast (linear interpolation).
        let taps = DSPTestSignals.room(rate: 8000, lengthMs: 100, seed: 1)
        let skewed: [Int16] = (0..<s.far.count).map { n in
            let t = Double(n) * (1 + 50e-6)
            let i = Int(t)
            let f = t - Double(i)
            guard i + 1 < s.far.count else { return 0 }
            return Int16((1 - f) * Double(s.far[i]) + f * Double(s.far[i + 1]))
        }
        s.echo = DSPTestSignals.convolve(skewed, taps: taps, bulkDelay: 150 * 8, count: s.far.count)
        let r = try Self.cancel(s)
        #expect(Self.erle(s, r.out, from: 12, to: 18) >= 15)
    }

    @Test func neverAmplifiesUnrelatedSignals() throws {
        let rate = 8000
        let far = SignalGenerator.noise(count: rate * 6, amplitude: 0.5, seed: 1)
        let talker = try DSPTestSignals.speech("fr", rate: rate)
        let s = Scenario(rate: rate, far: far, echo: [Double](repeating: 0, count: far.count),
                         talker: (0..<far.count).map { $0 < talker.count ? Double(talker[$0]) : 0 },
                         noise: SignalGenerator.noise(count: far.count, amplitude: 0.01, seed: 2).map(Double.init))
        let r = try Self.cancel(s)
        let near = s.near
        for start in stride(from: 0, to: near.count - 1600, by: 1600) {
            let inPower = DSPTestSignals.power(near[start..<(start + 1600)])
            let outPower = DSPTestSignals.power(r.out[start..<(start + 1600)])
            #expect(outPower <= inPower * 2 + 100, "block at \(start)")
        }
    }

    @Test func resetIsClean() throws {
        let s = try Self.scenario(rate: 8000, delayMs: 200, roomMs: 100)
        let c = try EchoCanceller(sampleRate: .narrowband)
        let n = c.frameSamples
        let near = s.near
        func run(_ count: Int) -> [Int16] {
            var out = [Int16](repeating: 0, count: count)
            for i in stride(from: 0, to: count, by: n) {
                s.far[i..<(i + n)].withUnsafeBufferPointer { f in
                    near[i..<(i + n)].withUnsafeBufferPointer { m in
                        out[i..<(i + n)].withUnsafeMutableBufferPointer { o in _ = c.process(far: f, near: m, output: o) }
                    }
                }
            }
            return out
        }
        let first = run(8000 * 4)
        #expect(c.estimatedDelayMilliseconds != nil)
        c.reset()
        #expect(c.estimatedDelayMilliseconds == nil && c.appliedDelaySamples == 0)
        let second = run(8000 * 4)
        #expect(first == second)
    }

    @Test(arguments: [(16000, FrameDuration.ms10), (48000, FrameDuration.ms10), (48000, FrameDuration.ms20)])
    func otherRatesAndFrameSizes(rate: Int, frame: FrameDuration) throws {
        let s = try Self.scenario(rate: rate, delayMs: 60, roomMs: 50, files: ["en-female", "fr"])
        var config = EchoCanceller.Configuration()
        config.tailMilliseconds = 100
        config.noiseSuppression = true
        config.automaticGainControl = true
        config.voiceActivityDetection = true
        let short = Scenario(rate: rate, far: Array(s.far.prefix(rate * 6)), echo: Array(s.echo.prefix(rate * 6)),
                             talker: Array(s.talker.prefix(rate * 6)), noise: Array(s.noise.prefix(rate * 6)))
        let r = try Self.cancel(short, configuration: config, frame: frame)
        #expect(r.canceller.frameSamples == frame.samples(at: SampleRate(hertz: rate)))
        #expect(Self.erle(short, r.out, from: 3, to: 6) >= 10)
    }

    @Test func rejectsUnsupportedSettings() {
        #expect(throws: EchoCancellerError.unsupportedSampleRate(44100)) { try EchoCanceller(sampleRate: .cd) }
        #expect(throws: EchoCancellerError.unsupportedFrameDuration(40)) { try EchoCanceller(sampleRate: .wideband, frameDuration: .ms40) }
        var c = EchoCanceller.Configuration()
        c.tailMilliseconds = 5
        #expect(throws: EchoCancellerError.tailOutOfRange(milliseconds: 5)) { try EchoCanceller(sampleRate: .wideband, configuration: c) }
        c = EchoCanceller.Configuration()
        c.maxDelayMilliseconds = 5000
        #expect(throws: EchoCancellerError.maxDelayOutOfRange(milliseconds: 5000)) { try EchoCanceller(sampleRate: .wideband, configuration: c) }
    }
}
