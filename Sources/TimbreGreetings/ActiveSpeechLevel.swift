#if canImport(Glibc)
import Glibc
#endif

/// Active speech level per ITU-T P.56 method B: the level of the signal while speech is
/// active, so pauses in a greeting do not make it look quieter than it sounds.
///
/// The envelope is a two-stage exponential average of |x| with a 30 ms time constant; for each
/// of 16 thresholds spaced 6.02 dB apart (2^-15 … 2^0 of full scale) samples count as active while
/// the envelope is at or above the threshold or within 200 ms after it dropped below (hangover).
/// The active level is where the level measured over "active" samples sits 15.9 dB (the margin
/// M) above the threshold, interpolated between thresholds. Levels are in dBov: 0 dBov is a
/// full-scale square wave (mean square 1.0 for samples in [-1, 1]), so a full-scale sine is
/// −3.01 dBov. Written from the Recommendation's description (not from the G.191 sv56 code).
public struct ActiveSpeechLevel: Sendable, Equatable {
    /// Active speech level in dBov; `-.infinity` for silence.
    public var levelDB: Double
    /// Fraction of samples counted active at the chosen threshold (0…1).
    public var activityFactor: Double

    static let marginDB = 15.9
    static let timeConstant = 0.03
    static let hangoverSeconds = 0.2

    /// Measures `samples` (mono, in [-1, 1]) at `sampleRate` Hz.
    public static func measure(_ samples: UnsafeBufferPointer<Float>, sampleRate: Int) -> ActiveSpeechLevel {
        let thresholds = 16
        let g = exp(-1 / (Double(sampleRate) * timeConstant))
        let hangover = Int(Double(sampleRate) * hangoverSeconds + 0.5)
        var c = [Double](repeating: 0, count: thresholds)
        for j in 0..<thresholds { c[j] = pow(2, Double(j - 15)) }
        var active = [Int](repeating: 0, count: thresholds)
        var hang = [Int](repeating: hangover, count: thresholds)
        var p = 0.0, q = 0.0, energy = 0.0
        for x in samples {
            let v = Double(x)
            energy += v * v
            p = g * p + (1 - g) * abs(v)
            q = g * q + (1 - g) * p
            for j in 0..<thresholds {
                if q >= c[j] {
                    active[j] += 1
                    hang[j] = 0
                } else if hang[j] < hangover {
                    active[j] += 1
                    hang[j] += 1
                } else {
                    break  // thresholds increase: none above this one is met either
                }
            }
        }
        guard energy > 0, active[0] > 0 else { return ActiveSpeechLevel(levelDB: -.infinity, activityFactor: 0) }
        func level(_ j: Int) -> Double { active[j] > 0 ? 10 * log10(energy / Double(active[j])) : .infinity }
        func delta(_ j: Int) -> Double { level(j) - 20 * log10(c[j]) }
        var chosen = 0
        while chosen < thresholds && active[chosen] > 0 && delta(chosen) > marginDB { chosen += 1 }
        if chosen == 0 || chosen == thresholds || active[chosen] == 0 {
            let j = min(max(chosen - 1, 0), thresholds - 1)
            return ActiveSpeechLevel(levelDB: level(j), activityFactor: Double(active[j]) / Double(samples.count))
        }
        // Linear interpolation (in dB) between threshold j-1 (delta above M) and j (at or below).
        let d0 = delta(chosen - 1), d1 = delta(chosen)
        let f = (d0 - marginDB) / (d0 - d1)
        let a0 = level(chosen - 1), a1 = level(chosen)
        let lev = a0 + f * (a1 - a0)
        let activity = energy / pow(10, lev / 10) / Double(samples.count)
        return ActiveSpeechLevel(levelDB: lev, activityFactor: min(1, activity))
    }
}
