/// The adaptive state of one G.722 sub-band ADPCM coder: scale factor and pole-zero predictor
/// (ITU-T G.722 §3.5–3.6, blocks LOGSCL/SCALEL and the predictor blocks RECONS…PREDIC).
///
/// Encoder and decoder run the same update so that they track each other; all arithmetic is the
/// standard's 16-bit fixed point, done in `Int32` with explicit saturation where the standard
/// limits to 16 bits. Kept exact; where a value is only used in one form (the reconstructed
/// signal only doubled, the partial reconstruction only by its sign), that form is what is kept.
@usableFromInline
struct G722Band: Sendable {
    /// Predicted signal `s` = pole part + zero part.
    @usableFromInline var s: Int32 = 0
    /// Zero-section output `sz`.
    @usableFromInline var sz: Int32 = 0
    /// Reconstructed signal at times n-1, n-2, doubled and limited to 16 bits (FILTEP's wd1, wd2:
    /// the only use of r). sat(2·sat(s + d)) = sat(2(s + d)), so one limiter does both.
    @usableFromInline var twiceR1: Int32 = 0, twiceR2: Int32 = 0
    /// Sign of the partially reconstructed signal at times n-1, n-2, as 0 (≥ 0) or −1: UPPOL1
    /// and UPPOL2 only compare signs, and limiting p to 16 bits keeps its sign, so p itself and
    /// its limiter are not needed.
    @usableFromInline var signP1: Int32 = 0, signP2: Int32 = 0
    /// Pole coefficients a1, a2.
    @usableFromInline var a1: Int32 = 0, a2: Int32 = 0
    /// Zero coefficients b1…b4 in `b`, b5 and b6 in `bHigh`'s lanes 0 and 1. `bHigh`'s lanes 2
    /// and 3 hold no coefficient: they drift but stay bounded (the leak pulls them back), and
    /// their `dHigh` lanes are always 0, so they never reach the prediction.
    @usableFromInline var b = SIMD4<Int32>(), bHigh = SIMD4<Int32>()
    /// Quantised differences at times n-1…n-6, doubled (the 2d that FILTEZ multiplies by): n-1…n-4
    /// in `d`, n-5 and n-6 in `dHigh`'s lanes 0 and 1; its lanes 2 and 3 stay 0. Doubling keeps
    /// the sign that UPZERO compares, as |d| ≤ 10228 (see `filterZeros`).
    @usableFromInline var d = SIMD4<Int32>(), dHigh = SIMD4<Int32>()
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

    /// UPZERO, DELAYA and FILTEZ for the new difference `difference`: the sign-sign update of
    /// the six zero coefficients, then sz = Σ b·2d ≫ 15 over the shifted history.
    ///
    /// All six taps at once in two `SIMD4<Int32>`, arithmetic only (no masks, no comparisons),
    /// which LLVM keeps in vector registers: the scalar form cost about 95 instructions per band
    /// and sample, half of them moving lanes in and out of the vectorised leak. Two 128-bit
    /// halves rather than one `SIMD8`: in the AVX2 build a 256-bit vector lengthened the
    /// encoder's serial chain (lane extraction for the sum) and ran 10 % slower.
    /// No limiter is needed: |b| ≤ 32768 gives b·255/256 within −32640…32639, and ±128 keeps
    /// that inside 16 bits, so the standard's limiter on b never acts. The one on 2d does not
    /// either: det ≤ 16384 in both bands (nb is capped at 18432 / 22528), so |d| ≤ 16384·20456 ≫ 15
    /// = 10228 in the low band and ≤ 16384·7408 ≫ 15 = 3704 in the high band.
    @inlinable @inline(__always)
    mutating func filterZeros(difference: Int32) -> Int32 {
        // ±128 towards sign agreement, nothing when the difference is 0: the step carries the
        // new difference's sign and each lane flips it where its stored difference is negative
        // (x ≫ 15 is 0 or −1 for these 16-bit values). One broadcast instead of two.
        let step = Self.negate(Int32(truncatingIfNeeded: (difference != 0 ? 1 : 0) as Int) << 7, when: difference >> 15)
        let negative = d &>> 15, negativeHigh = dHigh &>> 15
        let signed = SIMD4(repeating: step)
        // b·32640 ≫ 15 = ⌊255·b/256⌋ = b − ⌈b/256⌉, without a 32-bit lane multiply.
        b = b &- ((b &+ 255) &>> 8) &+ ((signed ^ negative) &- negative)
        bHigh = bHigh &- ((bHigh &+ 255) &>> 8) &+ ((signed ^ negativeHigh) &- negativeHigh)
        dHigh = SIMD4(d[3], dHigh[0], 0, 0)
        d = SIMD4(difference &+ difference, d[0], d[1], d[2])
        return (((b &* d) &>> 15) &+ ((bHigh &* dHigh) &>> 15)).wrappedSum()
    }

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
        // Sign comparisons are done as masks (x >> 31 is 0 or −1; XOR of two is −1 when they
        // differ) and applied as ±, never as branches.
        let sg0 = (sz &+ d) >> 31
        let differ1 = sg0 ^ signP1
        let differ2 = sg0 ^ signP2

        // UPPOL2: second pole coefficient. The standard's wa2 = ∓sat(4·a1) limited to 32767, ≫ 7,
        // equals ∓a1 limited to ±8191, ≫ 5 (both saturate at the same |a1| and floor alike), two
        // operations shorter on this chain.
        let wa = Self.negate(min(max(a1, -8191), 8191), unless: differ1) >> 5  // −a1 when the signs agree
        var newA2 = wa &+ Self.negate(128, when: differ2) &+ ((a2 &* 32512) >> 15)
        newA2 = min(max(newA2, -12288), 12288)

        // UPPOL1: first pole coefficient, kept inside the stability triangle |a1| ≤ 15360 − a2.
        // The standard's 16-bit limiters on both lines below never act, so they are left out
        // (this chain is the longest in the loop): a2 is within ±12288, so the bound is within
        // 3072…27648; |a1| ≤ 27648 by induction, so ±192 + a1·32640 ≫ 15 stays within ±27732.
        let bound = 15360 &- newA2
        let newA1 = min(max(Self.negate(192, when: differ1) &+ ((a1 &* 32640) >> 15), -bound), bound)

        // RECONS (doubled for FILTEP), DELAYA.
        twiceR2 = twiceR1
        twiceR1 = Self.saturate((s &+ d) << 1)
        signP2 = signP1
        signP1 = sg0
        a2 = newA2
        a1 = newA1

        // UPZERO, DELAYA, FILTEZ; FILTEP; PREDIC.
        sz = Self.saturate(filterZeros(difference: d))
        let sp = Self.saturate(((a1 &* twiceR1) >> 15) &+ ((a2 &* twiceR2) >> 15))
        s = Self.saturate(sp &+ sz)
    }
}
