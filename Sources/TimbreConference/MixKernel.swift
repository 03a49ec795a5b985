#if TIMBRE_AVX2
import _Builtin_intrinsics.intel
#endif

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

    /// Sum of squares of a 16-bit frame, for the level detectors, at 4 bits less precision:
    /// (x >> 4)² summed in UInt32 over blocks of up to 960 samples cannot overflow
    /// (960 · 2^22 < 2^32) and vectorises without 64-bit widening. The lost bits are far below
    /// the detector's thresholds (−40 dBFS is an amplitude of about 330). Every bridge frame
    /// (20 ms at 8, 16 or 48 kHz) is one block; wrapping arithmetic outside the loop keeps
    /// overflow checks out of this per-participant call.
    @inlinable @inline(__always)
    static func energy(_ x: UnsafePointer<Int16>, count: Int) -> Int64 {
        if count <= 960 { return Int64(blockEnergy(x, count: count)) &<< 8 }
        var total: Int64 = 0
        var start = 0
        while start < count {
            let end = Swift.min(count, start &+ 960)
            total &+= Int64(blockEnergy(x + start, count: end &- start))
            start = end
        }
        return total &<< 8
    }

    /// Σ (x >> 4)² over at most 960 samples.
    ///
    /// LLVM vectorises the plain loop with `pmaddwd` on 8 samples (xmm) even under AVX2: the
    /// Int32 accumulator caps its vector factor at 8. Built with `-DTIMBRE_AVX2` (which the
    /// Makefile's and the peer scripts' AVX2 flags pass along with `-target-cpu haswell`), the
    /// loop calls `_mm256_madd_epi16` itself, 16 samples per instruction: it was a fifth of a
    /// 100-party mix. Same integer result either way (`Tests/SIMD/run.sh` checks the AVX2 form
    /// against the plain loop). Never define TIMBRE_AVX2 for a CPU without AVX2.
    @inlinable @inline(__always)
    static func blockEnergy(_ x: UnsafePointer<Int16>, count: Int) -> UInt32 {
        var e: Int32 = 0
        var i = 0
        #if TIMBRE_AVX2
        var lanes = SIMD8<Int32>()
        while i &+ 16 <= count {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Int16>.self) &>> 4
            let w = unsafeBitCast(v, to: SIMD4<Int64>.self)
            lanes &+= unsafeBitCast(_mm256_madd_epi16(w, w), to: SIMD8<Int32>.self)
            i &+= 16
        }
        e = lanes.wrappedSum()
        #endif
        while i < count {
            let q = Int32(x[i] &>> 4)
            e &+= q &* q
            i &+= 1
        }
        return UInt32(bitPattern: e)
    }

    /// The common case in 16 bits: adds a unity-gain input to a 16-bit bus (vpaddw, 16 lanes,
    /// half the memory traffic of a 32-bit bus) and returns the input's peak magnitude.
    /// `overflow` becomes nonzero if any addition overflowed (the bus then holds wrapped sums,
    /// and the caller recomputes it in 32 bits).
    ///
    /// The overflow test compares the wrapping sum with the saturating one (`vpaddsw`): they
    /// differ exactly when the addition overflowed — one instruction fewer per vector than the
    /// sign rule. The energy is the caller's (`energy`, a loop of its own): a loop with 32-bit
    /// values in it is vectorised at 8 lanes, which would halve the width of the 16-bit sum.
    @inlinable
    static func accumulate16(
        _ input: UnsafePointer<Int16>, into bus16: UnsafeMutablePointer<Int16>, count: Int, overflow: inout Int16
    ) -> Int32 {
        var flag: Int16 = 0
        var hi: Int16 = 0
        var lo: Int16 = 0
        for i in 0..<count {
            let x = input[i]
            let a = bus16[i]
            let w = a &+ x
            // min/max, not Int16(clamping:), which branches; LLVM turns this into vpaddsw.
            let saturated = Int16(truncatingIfNeeded: min(max(Int32(a) &+ Int32(x), -32768), 32767))
            flag |= w ^ saturated
            bus16[i] = w
            hi = max(hi, x)
            lo = min(lo, x)
        }
        overflow |= flag
        return max(Int32(hi), 0 &- Int32(lo))
    }

    /// As `accumulate16` for the first input of a frame: the bus is set to the input (nothing
    /// to add to, nothing can overflow), so the bus needs no clearing beforehand.
    @inlinable
    static func start16(_ input: UnsafePointer<Int16>, into bus16: UnsafeMutablePointer<Int16>, count: Int) -> Int32 {
        var hi: Int16 = 0
        var lo: Int16 = 0
        for i in 0..<count {
            let x = input[i]
            bus16[i] = x
            hi = max(hi, x)
            lo = min(lo, x)
        }
        return max(Int32(hi), 0 &- Int32(lo))
    }

    /// Two unity-gain inputs added to the 16-bit bus in one pass (or, with `first`, the bus set
    /// to their sum): one load and one store of the bus per two talkers instead of two each, and
    /// one call's overhead. Same overflow test as `accumulate16` for both additions (the sum
    /// is modular, so the final bus does not depend on the order; only whether any addition
    /// overflowed does, and then the caller recomputes in 32 bits anyway). Returns both peaks;
    /// the energies are the caller's (`energy`), as in `accumulate16`.
    @inlinable
    static func accumulate16(
        _ x: UnsafePointer<Int16>, _ y: UnsafePointer<Int16>, into bus16: UnsafeMutablePointer<Int16>,
        count: Int, first: Bool, overflow: inout Int16
    ) -> (peakX: Int32, peakY: Int32) {
        var flag: Int16 = 0
        var hiX: Int16 = 0
        var loX: Int16 = 0
        var hiY: Int16 = 0
        var loY: Int16 = 0
        if first {
            for i in 0..<count {
                let u = x[i]
                let v = y[i]
                let w = u &+ v
                flag |= w ^ Int16(truncatingIfNeeded: min(max(Int32(u) &+ Int32(v), -32768), 32767))
                bus16[i] = w
                hiX = max(hiX, u)
                loX = min(loX, u)
                hiY = max(hiY, v)
                loY = min(loY, v)
            }
        } else {
            for i in 0..<count {
                let u = x[i]
                let v = y[i]
                let a = bus16[i]
                let w1 = a &+ u
                let w2 = w1 &+ v
                let s1 = Int16(truncatingIfNeeded: min(max(Int32(a) &+ Int32(u), -32768), 32767))
                let s2 = Int16(truncatingIfNeeded: min(max(Int32(w1) &+ Int32(v), -32768), 32767))
                flag |= (w1 ^ s1) | (w2 ^ s2)
                bus16[i] = w2
                hiX = max(hiX, u)
                loX = min(loX, u)
                hiY = max(hiY, v)
                loY = min(loY, v)
            }
        }
        overflow |= flag
        return (max(Int32(hiX), 0 &- Int32(loX)), max(Int32(hiY), 0 &- Int32(loY)))
    }

    /// out = bus16 − own in wrapping 16-bit arithmetic: 16 lanes per AVX2 vector, no widening,
    /// no saturation, no peak scan. Only for a caller that has proved the result in range
    /// (`peak(bus16) + peak(own) ≤ SoftLimiter.threshold`), where wrapping never happens and
    /// the limiter is transparent — the common case of every ordinary conversation.
    @inlinable @inline(__always)
    static func minusWrapping(
        _ bus16: UnsafePointer<Int16>, _ own: UnsafePointer<Int16>, into out: UnsafeMutablePointer<Int16>, count: Int
    ) {
        for i in 0..<count { out[i] = bus16[i] &- own[i] }
    }

    /// bus = widen(bus16).
    @inlinable
    static func widen(_ bus16: UnsafePointer<Int16>, into bus: UnsafeMutablePointer<Int32>, count: Int) {
        for i in 0..<count { bus[i] = Int32(bus16[i]) }
    }

    /// bus += widen(bus16).
    @inlinable
    static func widenAdd(_ bus16: UnsafePointer<Int16>, into bus: UnsafeMutablePointer<Int32>, count: Int) {
        for i in 0..<count { bus[i] &+= Int32(bus16[i]) }
    }

    /// bus += widen(input) (recomputing a 16-bit bus that saturated).
    @inlinable
    static func add(_ input: UnsafePointer<Int16>, into bus: UnsafeMutablePointer<Int32>, count: Int) {
        for i in 0..<count { bus[i] &+= Int32(input[i]) }
    }

    /// Largest |x| of a 16-bit frame.
    @inlinable
    static func peakMagnitude(_ x: UnsafePointer<Int16>, count: Int) -> Int32 {
        var hi: Int16 = 0
        var lo: Int16 = 0
        for i in 0..<count {
            hi = max(hi, x[i])
            lo = min(lo, x[i])
        }
        return max(Int32(hi), 0 &- Int32(lo))
    }

    /// out = narrow(bus − own) in one pass, returning max |bus − own|. When that peak is within
    /// the limiter's threshold (and its gain is unity) this output is final; otherwise the
    /// caller runs the limiter's slow path.
    @inlinable
    static func minusNarrow(
        _ bus: UnsafePointer<Int32>, _ own: UnsafePointer<Int16>, into out: UnsafeMutablePointer<Int16>, count: Int
    ) -> Int32 {
        var hi: Int32 = 0
        var lo: Int32 = 0
        for i in 0..<count {
            let v = bus[i] &- Int32(own[i])
            hi = max(hi, v)
            lo = min(lo, v)
            out[i] = Int16(truncatingIfNeeded: min(max(v, -32767), 32767))
        }
        return max(hi, 0 &- lo)
    }

    /// The common case in 16 bits: when the whole bus fits (`bus16` is the exact full mix), each
    /// listener's mix is `bus16 − own` with saturation, 16 lanes per AVX2 vector and no
    /// widening or narrowing. A saturated sample exceeds the limiter threshold, so the returned
    /// peak sends the caller to the exact 32-bit path whenever it matters.
    @inlinable
    static func minus16(
        _ bus16: UnsafePointer<Int16>, _ own: UnsafePointer<Int16>, into out: UnsafeMutablePointer<Int16>, count: Int
    ) -> Int32 {
        var hi: Int16 = 0
        var lo: Int16 = 0
        for i in 0..<count {
            // min/max, not Int16(clamping:), which branches; LLVM turns this into vpsubsw.
            let v = Int16(truncatingIfNeeded: min(max(Int32(bus16[i]) &- Int32(own[i]), -32768), 32767))
            hi = max(hi, v)
            lo = min(lo, v)
            out[i] = v
        }
        return max(Int32(hi), 0 &- Int32(lo))
    }

    /// As `minusNarrow`, for a 32-bit contribution (gain or fade applied).
    @inlinable
    static func minusNarrow(
        _ bus: UnsafePointer<Int32>, _ own: UnsafePointer<Int32>, into out: UnsafeMutablePointer<Int16>, count: Int
    ) -> Int32 {
        var hi: Int32 = 0
        var lo: Int32 = 0
        for i in 0..<count {
            let v = bus[i] &- own[i]
            hi = max(hi, v)
            lo = min(lo, v)
            out[i] = Int16(truncatingIfNeeded: min(max(v, -32767), 32767))
        }
        return max(hi, 0 &- lo)
    }

    /// out = bus − own (16-bit own), for the limiter's slow path.
    @inlinable
    static func subtract(
        _ sum: UnsafePointer<Int32>, _ own: UnsafePointer<Int16>, into out: UnsafeMutablePointer<Int32>, count: Int
    ) {
        for i in 0..<count { out[i] = sum[i] &- Int32(own[i]) }
    }
}
