#if canImport(Glibc)
import Glibc
#endif

/// Test signals: tones, sweeps, noise, squares and silence as 16-bit PCM.
public enum SignalGenerator {
    /// A sine of `frequency` Hz at `amplitude` (0...1 of full scale).
    public static func sine(frequency: Double, sampleRate: Int, count: Int, amplitude: Double = 0.5) -> [Int16] {
        (0..<count).map { i in
            Int16((amplitude * 32767 * sin(2 * .pi * frequency * Double(i) / Double(sampleRate))).rounded())
        }
    }

    /// A linear sweep from `from` to `to` Hz.
    public static func sweep(from: Double, to: Double, sampleRate: Int, count: Int, amplitude: Double = 0.5) -> [Int16] {
        var phase = 0.0
        return (0..<count).map { i in
            let f = from + (to - from) * Double(i) / Double(max(1, count - 1))
            phase += 2 * .pi * f / Double(sampleRate)
            return Int16((amplitude * 32767 * sin(phase)).rounded())
        }
    }

    /// Uniform white noise in [-amplitude, amplitude] of full scale, seeded.
    public static func noise(count: Int, amplitude: Double = 0.5, seed: UInt64 = 1) -> [Int16] {
        var rng = SeededRandom(seed: seed)
        let a = Int(amplitude * 32767)
        return (0..<count).map { _ in Int16(Int.random(in: -a...a, using: &rng)) }
    }

    /// A full-scale square wave of `period` samples (the hardest case for clamping).
    public static func square(period: Int, count: Int) -> [Int16] {
        (0..<count).map { ($0 / (period / 2)) % 2 == 0 ? Int16.max : Int16.min }
    }

    /// Every Int16 value once, in order from Int16.min.
    public static var everyInt16: [Int16] { (Int(Int16.min)...Int(Int16.max)).map { Int16($0) } }
}
