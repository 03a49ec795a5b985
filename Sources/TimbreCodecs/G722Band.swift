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
    /// Zero coefficients b1…b6 in lanes 0…5.
    @usableFromInline var b = SIMD8<Int32>()
    /// Quantised differences at times n-1…n-6 in lanes 0…5.
    @usableFromInline var dlt = SIMD8<Int32>()
    /// Logarithmic scale factor `nb`.
    @usableFromInline var nb: Int32 = 0
    /// Linear scale factor `det` (the quantiser step).
    @usableFromInline var det: Int32

    @usableFromInline
    init(initialDet: Int32) { det = initialDet }

    /// Clamps to the 16-bit range, as the standard's limiters do.
    @inlinable @inline(__always)
    static func saturate(_ x: Int32) -> Int32 { min(max(x, -32768), 32767) }

    /// Updates the logarithmic scale factor with `w` (from the WL or WH table), limited to
    /// `0...limit`, and recomputes `det` from it (LOGSCL/LOGSCH then SCALEL/SCALEH).
    /// `shiftBase` is 8 for the low band and 10 for the high band.
    @inlinable @inline(__always)
    mutating func adaptScale(_ w: Int32, limit: Int32, shiftBase: Int32) {
        nb = min(max(((nb &* 127) >> 7) &+ w, 0), limit)
        let mantissa = G722Tables.inverseLog(Int((nb >> 6) & 31))
        let shift = shiftBase &- (nb >> 11)
        let linear = shift < 0 ? mantissa << -shift : mantissa >> shift
        det = linear << 2
    }

    /// Runs the predictor for one quantised difference `d` (blocks RECONS, PARREC, UPPOL2,
    /// UPPOL1, UPZERO, DELAYA, FILTEP, FILTEZ, PREDIC), leaving the next prediction in `s`.
    @inlinable @inline(__always)
    mutating func update(difference d: Int32) {
        let r = Self.saturate(s &+ d)
        let p = Self.saturate(sz &+ d)

        // UPPOL2: second pole coefficient.
        let sg0 = p >> 15, sg1 = p1 >> 15, sg2 = p2 >> 15
        let wa1 = Self.saturate(a1 << 2)
        let wa2 = min(sg0 == sg1 ? -wa1 : wa1, 32767)
        var newA2 = (wa2 >> 7) &+ (sg0 == sg2 ? 128 : -128) &+ ((a2 &* 32512) >> 15)
        newA2 = min(max(newA2, -12288), 12288)

        // UPPOL1: first pole coefficient, kept inside the stability triangle.
        var newA1 = Self.saturate((sg0 == sg1 ? 192 : -192) &+ ((a1 &* 32640) >> 15))
        let bound = Self.saturate(15360 &- newA2)
        newA1 = min(max(newA1, -bound), bound)

        // UPZERO: sign-sign update of the six zero coefficients.
        let step: Int32 = d == 0 ? 0 : 128
        let sgd = d >> 15
        var newB = SIMD8<Int32>()
        for i in 0..<6 {
            let flip = (dlt[i] >> 15) ^ sgd  // 0 when signs agree, -1 otherwise
            newB[i] = Self.saturate(((step ^ flip) &- flip) &+ ((b[i] &* 32640) >> 15))
        }

        // DELAYA.
        dlt = SIMD8(d, dlt[0], dlt[1], dlt[2], dlt[3], dlt[4], 0, 0)
        b = newB
        r2 = r1; r1 = r
        p2 = p1; p1 = p
        a2 = newA2; a1 = newA1

        // FILTEP, FILTEZ, PREDIC.
        let sp = Self.saturate(((a1 &* Self.saturate(r1 &+ r1)) >> 15) &+ ((a2 &* Self.saturate(r2 &+ r2)) >> 15))
        var zeros: Int32 = 0
        for i in 0..<6 {
            zeros &+= (b[i] &* Self.saturate(dlt[i] &+ dlt[i])) >> 15
        }
        sz = Self.saturate(zeros)
        s = Self.saturate(sp &+ sz)
    }
}
