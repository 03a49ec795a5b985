import Testing
@testable import TimbreDSP
import TimbreCore
import TimbreTestSupport

#if canImport(Glibc)
import Glibc
#endif

@Suite struct ResamplerTests {
    /// Power of the fundamental by correlation, relative to the whole signal: a clean tone
    /// resampled stays a clean tone at the same frequency.
    static func toneSNR(_ x: [Int16], frequency: Double, rate: Int) -> Double {
        let n = x.count
        var c = 0.0, s = 0.0, total = 0.0
        for i in 0..<n {
            let v = Double(x[i])
            let w = 2 * Double.pi * frequency * Double(i) / Double(rate)
            c += v * cos(w)
            s += v * sin(w)
            total += v * v
        }
        let tone = 2 * (c * c + s * s) / Double(n)
        return 10 * log10(tone / max(total - tone, 1e-9))
    }

    @Test(arguments: [(8000, 16000), (16000, 8000), (8000, 48000), (48000, 16000), (44100, 8000)])
    func convertsAToneCleanlyAndKeepsLength(from: Int, to: Int) throws {
        let input = SignalGenerator.sine(frequency: 1000, sampleRate: from, count: from, amplitude: 0.5)
        let out = try Resampler.convert(input, from: from, to: to)
        #expect(out.count == to, "one second in, one second out")
        let core = Array(out[(to / 10)..<(to - to / 10)])
        #expect(Self.toneSNR(core, frequency: 1000, rate: to) > 60)
    }

    @Test func offlineOutputIsTimeAligned() throws {
        // A click at 100 ms stays at 100 ms after 8 → 16 kHz.
        var input = [Int16](repeating: 0, count: 8000)
        input[800] = 20000
        let out = try Resampler.convert(input, from: 8000, to: 16000)
        let peak = out.indices.max { abs(Int(out[$0])) < abs(Int(out[$1])) }!
        #expect(abs(peak - 1600) <= 1)
    }

    @Test func frameResamplerGivesWholeFramesWithAConstantDelay() throws {
        let fr = try FrameResampler(inputRate: .narrowband, outputRate: .wideband, frameDuration: .ms20)
        #expect(fr.inputFrameSize == 160 && fr.outputFrameSize == 320)
        var input = [Int16](repeating: 0, count: 160 * 50)
        input[160 * 10] = 20000  // a click at frame 10
        var output = [Int16](repeating: 0, count: 320 * 50)
        for f in 0..<50 {
            input.withUnsafeBufferPointer { i in
                output.withUnsafeMutableBufferPointer { o in
                    fr.process(
                        UnsafeBufferPointer(rebasing: i[(f * 160)..<((f + 1) * 160)]),
                        into: UnsafeMutableBufferPointer(rebasing: o[(f * 320)..<((f + 1) * 320)]))
                }
            }
        }
        let peak = output.indices.max { abs(Int(output[$0])) < abs(Int(output[$1])) }!
        #expect(abs(peak - (320 * 10 + fr.latencyFrames)) <= 1, "delay is exactly latencyFrames")
    }

    @Test func rejectsImpossibleRates() {
        #expect(throws: Resampler.Failure.self) { try Resampler(inputRate: 0, outputRate: 8000) }
        #expect(throws: Resampler.Failure.self) { try Resampler(inputRate: 8000, outputRate: 8000 * 1000) }
    }

    @Test func rejectsOverlongInputInsteadOfOverflowing() throws {
        let r = try Resampler(inputRate: 8000, outputRate: 16000, maximumInputFrames: 160)
        let input = [Int16](repeating: 0, count: 161)
        var out = [Int16](repeating: 0, count: r.maximumOutputFrames)
        #expect(throws: Resampler.Failure.self) {
            try input.withUnsafeBufferPointer { i in
                try out.withUnsafeMutableBufferPointer { try r.process(i, into: $0) }
            }
        }
    }
}
