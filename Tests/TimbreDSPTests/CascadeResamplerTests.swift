import Testing
@testable import TimbreDSP
import TimbreTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// The cascade (our integer decimation, then libsamplerate's best converter) must give what the
/// best converter gives alone: same samples to within −90 dB (asserted −110), no new aliasing above −100 dB.
@Suite struct CascadeResamplerTests {
    static func cascade(_ x: [Float], from: Int, to: Int, chunk: Int = 4000) throws -> [Float] {
        let r = try CascadeResampler(inputRate: from, outputRate: to, maximumInputFrames: chunk)
        var out: [Float] = []
        try x.withUnsafeBufferPointer { all in
            var pos = 0
            repeat {
                let n = min(chunk, x.count - pos)
                try r.process(UnsafeBufferPointer(rebasing: all[pos..<(pos + n)]), endOfInput: pos + n == x.count) { out += $0 }
                pos += n
            } while pos < x.count
        }
        return out
    }

    /// libsamplerate's best converter on its own, the reference.
    static func bestAlone(_ x: [Float], from: Int, to: Int) throws -> [Float] {
        let r = try Resampler(inputRate: from, outputRate: to, quality: .best, maximumInputFrames: x.count)
        var out: [Float] = []
        var buf = [Float](repeating: 0, count: r.maximumOutputFrames)
        try x.withUnsafeBufferPointer { all in
            var pos = 0
            while true {
                let (c, p) = try buf.withUnsafeMutableBufferPointer {
                    try r.process(UnsafeBufferPointer(rebasing: all[pos...]), into: $0, endOfInput: true)
                }
                pos += c
                out += buf[0..<p]
                if p == 0 && pos >= x.count { break }
            }
        }
        return out
    }

    /// Energy of (a − b) relative to the energy of b, dB, over their common length.
    static func differenceDB(_ a: [Float], _ b: [Float]) -> Double {
        let n = min(a.count, b.count)
        var e = 0.0, s = 0.0
        for i in 0..<n {
            let d = Double(a[i]) - Double(b[i])
            e += d * d
            s += Double(b[i]) * Double(b[i])
        }
        return 10 * log10(e / s)
    }

    static func tone(_ f: Double, rate: Int, seconds: Double, amplitude: Double = 0.5) -> [Float] {
        (0..<Int(seconds * Double(rate))).map { Float(amplitude * sin(2 * Double.pi * f * Double($0) / Double(rate))) }
    }

    /// An exponential sweep 20 Hz → 20 kHz: every frequency, in the passband, the transition
    /// bands of both stages and the stop bands.
    static func sweep(rate: Int, seconds: Double) -> [Float] {
        let n = Int(seconds * Double(rate))
        let f0 = 20.0, f1 = 20000.0
        let k = log(f1 / f0)
        return (0..<n).map { i in
            let t = Double(i) / Double(rate)
            return Float(0.5 * sin(2 * Double.pi * f0 * seconds / k * (exp(t / seconds * k) - 1)))
        }
    }

    static func speech(rate: Int) throws -> [Float] {
        // SampleAudio holds 48 kHz speech; 44.1 kHz (the CD/MP3 rate greetings come in) is made
        // from it by libsamplerate.
        let s48 = try DSPTestSignals.longSpeech(rate: 48000, order: ["en-female", "zh"])
        let s = rate == 48000 ? s48 : try Resampler.convert(s48, from: 48000, to: rate)
        return s.map { Float($0) / 32768 }
    }

    @Test func decimationFactors() {
        #expect(CascadeResampler.decimationFactor(inputRate: 44100, outputRate: 8000) == 5)
        #expect(CascadeResampler.decimationFactor(inputRate: 48000, outputRate: 8000) == 5)
        #expect(CascadeResampler.decimationFactor(inputRate: 32000, outputRate: 8000) == 3)
        #expect(CascadeResampler.decimationFactor(inputRate: 22050, outputRate: 8000) == 2)
        #expect(CascadeResampler.decimationFactor(inputRate: 16000, outputRate: 8000) == 1)
        #expect(CascadeResampler.decimationFactor(inputRate: 11025, outputRate: 8000) == 1)
        #expect(CascadeResampler.decimationFactor(inputRate: 8000, outputRate: 16000) == 1)
        #expect(CascadeResampler.decimationFactor(inputRate: 44100, outputRate: 16000) == 2)
    }

    @Test(arguments: [44100, 48000, 32000])
    func speechMatchesTheBestConverterAlone(rate: Int) throws {
        let x = try Self.speech(rate: rate)
        let a = try Self.cascade(x, from: rate, to: 8000)
        let b = try Self.bestAlone(x, from: rate, to: 8000)
        #expect(abs(a.count - b.count) <= 1)
        let d = Self.differenceDB(a, b)
        // −90 dB is the requirement; measured −121 to −139 dB, so −110 keeps a margin that still fails on a real flaw.
        #expect(d < -110, "difference \(d) dB")
    }

    @Test(arguments: [44100, 48000])
    func sweptToneMatchesTheBestConverterAlone(rate: Int) throws {
        let x = Self.sweep(rate: rate, seconds: 4)
        let a = try Self.cascade(x, from: rate, to: 8000)
        let b = try Self.bestAlone(x, from: rate, to: 8000)
        let d = Self.differenceDB(a, b)
        // −90 dB is the requirement; measured −121 to −139 dB, so −110 keeps a margin that still fails on a real flaw.
        #expect(d < -110, "difference \(d) dB")
    }

    @Test(arguments: [44100, 48000])
    func passbandIsFlat(rate: Int) throws {
        // Tones across the telephone band come out at the level the best converter gives them.
        for f in [100.0, 300, 1000, 2000, 3000, 3400, 3600] {
            let x = Self.tone(f, rate: rate, seconds: 0.5)
            let a = try Self.cascade(x, from: rate, to: 8000)
            let b = try Self.bestAlone(x, from: rate, to: 8000)
            let d = Self.differenceDB(Array(a[400..<3600]), Array(b[400..<3600]))
            #expect(d < -90, "\(f) Hz: difference \(d) dB")
            guard f <= 3400 else { continue }  // the converter itself rolls off above (−0.3 dB at 3.8 kHz)
            let rms = (a[400..<3600].reduce(0.0) { $0 + Double($1) * Double($1) } / 3200).squareRoot()
            #expect(abs(20 * log10(rms / (0.5 / 2.0.squareRoot()))) < 0.01, "\(f) Hz level")
        }
    }

    @Test(arguments: [44100, 48000])
    func tonesAboveTheOutputBandDoNotAlias(rate: Int) throws {
        // 5–7 kHz cannot exist at 8 kHz; whatever comes out is aliasing. Input at −9 dBFS.
        for f in stride(from: 4200.0, through: 7000, by: 200) {
            let x = Self.tone(f, rate: rate, seconds: 0.5)
            let a = try Self.cascade(x, from: rate, to: 8000)
            var e = 0.0
            for v in a[400..<3600] { e += Double(v) * Double(v) }
            let level = 10 * log10(e / 3200 / 0.125 + 1e-300)
            #expect(level < -100, "\(f) Hz leaks at \(level) dB")
        }
    }

    /// The whole-signal path: first stage streaming, last stage in lanes.
    static func cascadeInLanes(_ x: [Float], from: Int, to: Int, lanes: Int) throws -> [Float] {
        var y = x
        var factor = 1
        if let d = try CascadeResampler.firstStage(inputRate: from, outputRate: to, maximumInputFrames: x.count) {
            factor = d.factor
            var buf = [Float](repeating: 0, count: d.maximumOutputFrames)
            let n = try x.withUnsafeBufferPointer { i in try buf.withUnsafeMutableBufferPointer { try d.process(i, into: $0, endOfInput: true) } }
            y = Array(buf[0..<n])
        }
        let out = try CascadeResampler.finalStage(y, inputRate: from, outputRate: to * factor, lanes: lanes)
        return Array(out.prefix(Int((Double(x.count) * Double(to) / Double(from)).rounded())))
    }

    @Test(arguments: [44100, 48000])
    func lanesGiveTheSameSamplesAsOneStream(rate: Int) throws {
        let x = try Self.speech(rate: rate)
        let mono = try Self.cascadeInLanes(x, from: rate, to: 8000, lanes: 1)
        let four = try Self.cascadeInLanes(x, from: rate, to: 8000, lanes: 4)
        let six = try Self.cascadeInLanes(x, from: rate, to: 8000, lanes: 6)
        #expect(four.count == mono.count && six.count == mono.count)
        #expect(Self.differenceDB(four, mono) < -120)
        #expect(Self.differenceDB(six, mono) < -120)
        // And against the best converter alone on the original signal.
        #expect(Self.differenceDB(four, try Self.bestAlone(x, from: rate, to: 8000)) < -110)
        let sweep = Self.sweep(rate: rate, seconds: 4)
        #expect(Self.differenceDB(try Self.cascadeInLanes(sweep, from: rate, to: 8000, lanes: 4), try Self.bestAlone(sweep, from: rate, to: 8000)) < -110)
    }

    @Test func upsamplingAndSmallRatiosUseTheConverterAlone() throws {
        #expect(try CascadeResampler(inputRate: 16000, outputRate: 8000).decimator == nil)
        #expect(try CascadeResampler(inputRate: 8000, outputRate: 48000).decimator == nil)
        let x = Self.tone(1000, rate: 16000, seconds: 0.3)
        #expect(try Self.cascade(x, from: 16000, to: 8000) == Self.bestAlone(x, from: 16000, to: 8000))
    }

    @Test func badRatesAreTypedErrors() {
        #expect(throws: Resampler.Failure.self) { try CascadeResampler(inputRate: 0, outputRate: 8000) }
        #expect(throws: Resampler.Failure.self) { try CascadeResampler(inputRate: 44100, outputRate: -1) }
    }
}
