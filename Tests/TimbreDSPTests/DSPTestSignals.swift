import TimbreAudioFile
import TimbreCore
import TimbreTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Shared helpers for the DSP tests: speech fixtures, delays, sparse room responses, tools.
enum DSPTestSignals {
    static let speechNames = ["en-male", "en-female", "fr", "zh"]

    /// A SampleAudio speech file as mono Int16.
    static func speech(_ name: String, rate: Int) throws -> [Int16] {
        let r = try AudioFileReader.readMono(path: Fixtures.sampleAudio("speech-\(name)-\(rate / 1000)k.wav"))
        precondition(r.sampleRate == rate)
        return r.samples
    }

    /// All four speech files back to back (about 18 s).
    static func longSpeech(rate: Int, order: [String] = speechNames) throws -> [Int16] {
        try order.flatMap { try speech($0, rate: rate) }
    }

    /// A sparse synthetic room response: a direct path then `reflections` decaying reflections
    /// over `lengthMs`, with seeded positions and signs. Taps as (delay in samples, gain).
    static func room(rate: Int, lengthMs: Int, directGain: Double = 0.6, reflections: Int = 30, seed: UInt64) -> [(Int, Double)] {
        var rng = SeededRandom(seed: seed)
        var taps: [(Int, Double)] = [(0, directGain)]
        let length = lengthMs * rate / 1000
        for _ in 0..<reflections {
            let d = Int.random(in: 1..<length, using: &rng)
            let decay = exp(-5.0 * Double(d) / Double(length))
            let sign: Double = Bool.random(using: &rng) ? 1 : -1
            taps.append((d, sign * directGain * 0.5 * decay * Double.random(in: 0.3...1, using: &rng)))
        }
        return taps
    }

    /// y[n] = Σ g·x[n − bulk − d] over `taps`, as Double.
    static func convolve(_ x: [Int16], taps: [(Int, Double)], bulkDelay: Int, count: Int) -> [Double] {
        var y = [Double](repeating: 0, count: count)
        for (d, g) in taps {
            let shift = bulkDelay + d
            guard shift < count else { continue }
            for n in shift..<min(count, x.count + shift) { y[n] += g * Double(x[n - shift]) }
        }
        return y
    }

    static func toInt16(_ x: [Double]) -> [Int16] {
        x.map { Int16(max(-32768, min(32767, $0.rounded()))) }
    }

    static func power(_ x: ArraySlice<Int16>) -> Double {
        var s = 0.0
        for v in x { s += Double(v) * Double(v) }
        return x.isEmpty ? 0 : s / Double(x.count)
    }

    /// Writes samples to a temporary WAV and returns the path.
    static func temporaryWAV(_ samples: [Int16], rate: Int, name: String) throws -> String {
        let path = "/tmp/timbre-dsp-tests-\(getpid())-\(name).wav"
        try AudioFileWriter.write(samples, to: path, sampleRate: rate)
        return path
    }

    /// Runs a shell command; returns its exit status.
    @discardableResult
    static func shell(_ command: String) -> Int32 {
        let status = system(command)
        return (status >> 8) & 0xff
    }
}
