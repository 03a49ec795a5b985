/// The bridge's per-sample loops, over contiguous buffers.
///
/// Each loop is a plain scalar loop over unsafe pointers with no branches in the body (only
/// `min`/`max`/ternaries), which LLVM vectorises (SSE2 by default, AVX2 with
/// `-Xcc -march=x86-64-v3`); explicit `SIMDn` code was slower here (see STYLE.md). Sums are
/// Int32: one contribution is at most 32 768 × 16 (+24 dB gain) = 2^19, so 1000+ talkers
/// cannot overflow (the bridge caps the mixed set well below 2^12).
@usableFromInline
enum MixKernel {
    /// Largest |x| in `x[0..<count]`. Inputs are bridge sums, far from Int32.min.
    @inlinable @inline(__always)
    static func peakMagnitude(_ x: UnsafePointer<Int32>, count: Int) -> Int32 {
        var hi: Int32 = 0
        var lo: Int32 = 0
        for i in 0..<count {
            hi = max(hi, x[i])
            lo = min(lo, x[i])
        }
        return max(hi, 0 &- lo)
    }

    /// Narrows samples already known to fit in Int16 (the clamp keeps it total and vectorises).
    @inlinable @inline(__always)
    static func narrow(_ x: UnsafePointer<Int32>, into y: UnsafeMutablePointer<Int16>, count: Int) {
        for i in 0..<count {
            y[i] = Int16(truncatingIfNeeded: min(max(x[i], -32767), 32767))
        }
    }

    /// contribution = input · gain (Q12, constant) and sum += contribution.
    @inlinable @inline(__always)
    static func contribute(
        _ input: UnsafePointer<Int16>, gainQ12 g: Int32, into contribution: UnsafeMutablePointer<Int32>,
        sum: UnsafeMutablePointer<Int32>, count: Int
    ) {
        if g == 4096 {
            for i in 0..<count {
                let v = Int32(input[i])
                contribution[i] = v
                sum[i] &+= v
            }
        } else {
            for i in 0..<count {
                let v = (Int32(input[i]) &* g &+ 2048) &>> 12
                contribution[i] = v
                sum[i] &+= v
            }
        }
    }

    /// As `contribute`, with the gain ramping linearly from `g0` (before the first sample) to
    /// `g1` (at the last): a fade, so joins, leaves, mutes and selection changes do not click.
    @inlinable
    static func contributeRamp(
        _ input: UnsafePointer<Int16>, from g0: Int32, to g1: Int32,
        into contribution: UnsafeMutablePointer<Int32>, sum: UnsafeMutablePointer<Int32>?, count: Int
    ) {
        let d = Int64(g1 - g0)
        let n = Int64(count)
        for i in 0..<count {
            let g = Int64(g0) + d * Int64(i + 1) / n
            let v = Int32((Int64(input[i]) * g + 2048) >> 12)
            contribution[i] = v
            sum?[i] &+= v
        }
    }

    /// contribution = input · gain without touching a sum (a whisperer, heard by one listener only).
    @inlinable
    static func scale(
        _ input: UnsafePointer<Int16>, gainQ12 g: Int32, into contribution: UnsafeMutablePointer<Int32>,
        count: Int
    ) {
        for i in 0..<count {
            contribution[i] = (Int32(input[i]) &* g &+ 2048) &>> 12
        }
    }

    /// out = sum − own (the mix-minus for one listener).
    @inlinable @inline(__always)
    static func subtract(
        _ sum: UnsafePointer<Int32>, _ own: UnsafePointer<Int32>, into out: UnsafeMutablePointer<Int32>,
        count: Int
    ) {
        for i in 0..<count { out[i] = sum[i] &- own[i] }
    }

    /// out += extra (a whisper added to its one listener).
    @inlinable @inline(__always)
    static func add(_ extra: UnsafePointer<Int32>, into out: UnsafeMutablePointer<Int32>, count: Int) {
        for i in 0..<count { out[i] &+= extra[i] }
    }

    /// Applies a Q12 gain ramp to 16-bit output in place (fading what a listener hears).
    @inlinable
    static func fadeOutput(_ y: UnsafeMutablePointer<Int16>, from g0: Int32, to g1: Int32, count: Int) {
        let d = Int64(g1 - g0)
        let n = Int64(count)
        for i in 0..<count {
            let g = Int64(g0) + d * Int64(i + 1) / n
            y[i] = Int16(truncatingIfNeeded: (Int64(y[i]) * g + 2048) >> 12)
        }
    }

    /// Sum of squares of a 16-bit frame (for the level detectors).
    @inlinable @inline(__always)
    static func energy(_ x: UnsafePointer<Int16>, count: Int) -> Int64 {
        var s: Int64 = 0
        for i in 0..<count {
            let v = Int32(x[i])
            s &+= Int64(v &* v)
        }
        return s
    }
}
