/// The adaptive state of one G.722 sub-band ADPCM coder: scale factor and pole-zero predictor
/// (ITU-T G.722 §3.5–3.6, blocks LOGSCL/SCALEL and the predictor blocks RECONS…PREDIC).
///
/// Encoder and decoder run the same update so that they track each other; all arithmetic is the
/// standard's 16-bit fixed point, done in `Int32` with explicit saturation where the standard
/// limits to 16 bits. Kept exact: the SIMD work is in the QMF, not here.
@usableFromInline
struct G722Band: Sendable {
    /// Predicted signal `s` = pole part + zero part.
    @usableFromInline var s: Int32 = 0
    /// Zero-section output `sz`.
    @usableFromInline var sz: Int32 = 0
    /// Reconstructed signal at times n-1, n-2.
    @usableFromInline var r1: Int32 = 0, r2: Int32 = 0
    /// Partially reconstructed signal at times n-1, n-2.
    @usableFromInline var p1: Int32 = 0, p2: Int32 = 0
    /// Pole coefficients a1, a2.
    @usableFromInline var a1: Int32 = 0, a2: Int32 = 0
    /// Zero coefficients b1…b6 (plain fields: six taps are too few for SIMD to pay, and
    /// `SIMD8` lane shuffles cost more than the arithmetic here).
    @usableFromInline var b1: Int32 = 0, b2: Int32 = 0, b3: Int32 = 0, b4: Int32 = 0, b5: Int32 = 0, b6: Int32 = 0
    /// Quantised differences at times n-1…n-6.
    @usableFromInline var d1: Int32 = 0, d2: Int32 = 0, d3: Int32 = 0, d4: Int32 = 0, d5: Int32 = 0, d6: Int32 = 0
    /// Logarithmic scale factor `nb`.
    @usableFromInline var nb: Int32 = 0
    /// Linear scale factor `det` (the quantiser step).
    @usableFromInline var det: Int32

    @usableFromInline
    init(initialDet: Int32) { det = initialDet }

    /// Clamps to the 16-bit range, as the standard's limiters do.
    @inlinable @inline(__always)
    static func saturate(_ x: Int32) -> Int32 { min(max(x, -32768), 32767) }

    /// `x`, or `−x` where `mask` is −1 (mask must be 0 or −1).
    @inlinable @inline(__always)
    static func negate(_ x: Int32, when mask: Int32) -> Int32 { (x ^ mask) &- mask }

    /// `−x`, or `x` where `mask` is −1 (mask must be 0 or −1).
    @inlinable @inline(__always)
    static func negate(_ x: Int32, unless mask: Int32) -> Int32 { negate(x, when: ~mask) }

    /// One UPZERO coefficient: leak `b` by 255/256 and step ±128 towards the sign agreement of
    /// the new difference (sign `sgd`) with the stored one `dOld`.
    @inlinable @inline(__always)
    static func zeroUpdate(_ b: Int32, _ dOld: Int32, _ sgd: Int32, _ step: Int32) -> Int32 {
        // No limiter needed: |b| ≤ 32768 gives (b·32640) ≫ 15 in −32640…32639, and ±128 keeps
        // that inside 16 bits, so the standard's limiter never acts (b stays 16-bit by induction).
        negate(step, when: (dOld >> 15) ^ sgd) &+ ((b &* 32640) >> 15)
    }

    /// One FILTEZ tap: b·2d in Q15. The standard limits 2d to 16 bits, but it never reaches
    /// that: det ≤ 16384 in both bands (nb is capped at 18432 / 22528), so |d| ≤ 16384·20456 ≫ 15
    /// = 10228 in the low band and ≤ 16384·7408 ≫ 15 = 3704 in the high band.
    @inlinable @inline(__always)
    static func tap(_ b: Int32, _ d: Int32) -> Int32 { (b &* (d &+ d)) >> 15 }

    /// Updates the logarithmic scale factor with `w` (from the WL or WH table), limited to
    /// `0...limit`, and recomputes `det` from it (LOGSCL/LOGSCH then SCALEL/SCALEH).
    /// `shiftBase` is 8 for the low band and 10 for the high band.
    /// `tables` is `G722Tables.packed`'s storage.
    @inlinable @inline(__always)
    mutating func adaptScale(_ w: Int32, limit: Int32, shiftBase: Int32, tables: UnsafePointer<Int32>) {
        nb = min(max(((nb &* 127) >> 7) &+ w, 0), limit)
        let mantissa = tables[G722Tables.ilbOffset &+ Int((nb >> 6) & 31)]
        // Shift right by shiftBase − nb/2048, which is −1 at the very top of nb's range: shifting
        // the doubled mantissa by one more covers that case without a branch.
        let shift = shiftBase &- (nb >> 11)
        det = ((mantissa &<< 1) &>> (shift &+ 1)) &<< 2
    }

    /// Runs the predictor for one quantised difference `d` (blocks RECONS, PARREC, UPPOL2,
    /// UPPOL1, UPZERO, DELAYA, FILTEP, FILTEZ, PREDIC), leaving the next prediction in `s`.
    @inlinable @inline(__always)
    mutating func update(difference d: Int32) {
        let r = Self.saturate(s &+ d)
        let p = Self.saturate(sz &+ d)

        // Sign comparisons are done as masks (x >> 15 is 0 or −1 for a 16-bit x; XOR of two is
        // −1 when they differ) and applied as ±: data-dependent branches here would mispredict
        // on every other sample, and this chain is the codec's critical path.
        let sg0 = p >> 15
        let differ1 = sg0 ^ (p1 >> 15)
        let differ2 = sg0 ^ (p2 >> 15)

        // UPPOL2: second pole coefficient.
        let wa1 = Self.saturate(a1 << 2)
        let wa2 = min(Self.negate(wa1, unless: differ1), 32767)  // −wa1 when the signs agree
        var newA2 = (wa2 >> 7) &+ Self.negate(128, when: differ2) &+ ((a2 &* 32512) >> 15)
        newA2 = min(max(newA2, -12288), 12288)

        // UPPOL1: first pole coefficient, kept inside the stability triangle |a1| ≤ 15360 − a2.
        // The standard's 16-bit limiters on both lines below never act, so they are left out
        // (this chain is the longest in the loop): a2 is within ±12288, so the bound is within
        // 3072…27648; |a1| ≤ 27648 by induction, so ±192 + a1·32640 ≫ 15 stays within ±27732.
        let bound = 15360 &- newA2
        let newA1 = min(max(Self.negate(192, when: differ1) &+ ((a1 &* 32640) >> 15), -bound), bound)

        // UPZERO: sign-sign update of the six zero coefficients; DELAYA.
        let step = Int32(truncatingIfNeeded: (d != 0 ? 1 : 0) as Int) << 7
        let sgd = d >> 15
        b6 = Self.zeroUpdate(b6, d6, sgd, step)
        b5 = Self.zeroUpdate(b5, d5, sgd, step)
        b4 = Self.zeroUpdate(b4, d4, sgd, step)
        b3 = Self.zeroUpdate(b3, d3, sgd, step)
        b2 = Self.zeroUpdate(b2, d2, sgd, step)
        b1 = Self.zeroUpdate(b1, d1, sgd, step)
        d6 = d5; d5 = d4; d4 = d3; d3 = d2; d2 = d1; d1 = d
        r2 = r1; r1 = r
        p2 = p1; p1 = p
        a2 = newA2; a1 = newA1

        // FILTEP, FILTEZ, PREDIC.
        let sp = Self.saturate(((a1 &* Self.saturate(r1 &+ r1)) >> 15) &+ ((a2 &* Self.saturate(r2 &+ r2)) >> 15))
        var zeros = Self.tap(b1, d1) &+ Self.tap(b2, d2) &+ Self.tap(b3, d3)
        zeros &+= Self.tap(b4, d4) &+ Self.tap(b5, d5) &+ Self.tap(b6, d6)
        sz = Self.saturate(zeros)
        s = Self.saturate(sp &+ sz)
    }
}
