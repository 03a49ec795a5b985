#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns a 32-bit mix into 16-bit output without wrap-around or hard clipping.
///
/// Two stages, no look-ahead (so it adds no delay, and offline tools need no compensation):
/// 1. A gain envelope: when a frame's peak exceeds `threshold`, the gain drops to
///    `threshold / peak` within the first millisecond of the frame; afterwards it recovers
///    towards unity with a ~100 ms time constant. This keeps loud talk undistorted.
/// 2. A soft knee for what the envelope did not catch (the first millisecond of an attack):
///    above `threshold` the level follows `T + K·tanh((x − T)/K)`, which is smooth at `T` and
///    approaches but never reaches `ceiling`.
///
/// Transparent: while every peak stays at or below `threshold` (−6 dBFS, 16 423) and the gain
/// has recovered, output equals input sample for sample. The output never exceeds ±`ceiling`
/// (32 000, −0.2 dBFS), so it never produces −32 768.
///
/// The steady, quiet case (the usual one) is a vectorised max-abs scan plus a narrowing copy.
/// Allocation-free; one value per output stream.
public struct SoftLimiter: Sendable {
    /// Peaks at or below this pass unchanged (−6 dBFS in sample units; 32768 · 10^(−6/20) ≈ 16 423).
    public static let threshold: Int32 = 16_423
    /// Output magnitude never reaches this (−0.2 dBFS).
    public static let ceiling: Int32 = 32_000

    /// Current envelope gain (1 = no reduction).
    public private(set) var gain: Float = 1
    /// Per-frame recovery factor: gain += (1 − gain) · release.
    @usableFromInline let release: Float
    @usableFromInline let attackSamples: Int

    /// - Parameters:
    ///   - sampleRate: samples per second of the stream (sets the 1 ms attack).
    ///   - frameSamples: samples per call (sets the per-frame release step for ~100 ms).
    public init(sampleRate: Int, frameSamples: Int) {
        attackSamples = max(1, sampleRate / 1000)
        let frameSeconds = Double(frameSamples) / Double(sampleRate)
        release = Float(1 - exp(-frameSeconds / 0.1))
    }

    /// Makes this limiter continue from another's envelope (an output switching streams).
    public mutating func follow(_ other: SoftLimiter) { gain = other.gain }

    /// Limits `count` samples of `input` into `output`. Returns true when the output equals the
    /// input exactly (the limiter was transparent for this frame). Allocation-free.
    @inlinable @discardableResult
    public mutating func process(
        _ input: UnsafePointer<Int32>, into output: UnsafeMutablePointer<Int16>, count: Int
    ) -> Bool {
        let peak = MixKernel.peakMagnitude(input, count: count)
        if gain == 1 && peak <= SoftLimiter.threshold {
            MixKernel.narrow(input, into: output, count: count)
            return true
        }
        limitSlow(input, into: output, count: count, peak: peak)
        return false
    }

    /// True while the envelope is at unity: then a frame whose peak is within `threshold`
    /// passes unchanged, and a caller that already narrowed it needs nothing more.
    @inlinable public var isTransparent: Bool { gain == 1 }

    @usableFromInline
    mutating func limitSlow(
        _ input: UnsafePointer<Int32>, into output: UnsafeMutablePointer<Int16>, count: Int, peak: Int32
    ) {
        let t = Float(SoftLimiter.threshold)
        let wanted: Float = peak > SoftLimiter.threshold ? t / Float(peak) : 1
        let start = gain
        var end: Float
        var rampLength: Int
        if wanted < start {
            end = wanted  // attack: reach the needed gain within 1 ms
            rampLength = min(attackSamples, count)
        } else {
            end = min(wanted, start + (1 - start) * release)  // release: across the frame
            if end > 0.9995 { end = 1 }
            rampLength = count
        }
        // One below the gap: tanhf saturates to exactly 1 in Float, and the ceiling must not be reached.
        let k = Float(SoftLimiter.ceiling - SoftLimiter.threshold - 1)
        let step = rampLength > 0 ? (end - start) / Float(rampLength) : 0
        for i in 0..<count {
            let g = i < rampLength ? start + step * Float(i + 1) : end
            var y = g == 1 ? Float(input[i]) : Float(input[i]) * g
            let a = abs(y)
            if a > t {
                let shaped = t + k * tanhf((a - t) / k)
                y = y < 0 ? -shaped : shaped
            }
            output[i] = Int16(y.rounded())
        }
        gain = end
    }
}
