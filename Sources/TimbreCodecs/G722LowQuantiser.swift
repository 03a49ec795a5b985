/// The search of G.722's 6-bit low-band quantiser (QUANTL): which of the 30 intervals between
/// the decision levels `level(i)·det ≫ 12` (i = 1…29) holds a magnitude.
///
/// Why this shape: the encoder's speed is the latency of its serial ADPCM loop, and the
/// standard's linear search (or ffmpeg's early-out loop) puts data-dependent branches on it. Here
/// all 29 levels are scaled and compared at once, in 16-bit lanes, and the levels reached are
/// counted with arithmetic only. The scaling is the high half of a 16×16-bit product (the levels
/// are stored ×16, so high half = level·det ≫ 12 exactly), which LLVM emits as `pmulhuw` — SSE2,
/// so the baseline x86-64 build gets it too. The comparison is the sign of
/// `scaled + ~magnitude` (= scaled − magnitude − 1), −1 where the level is reached; masks are
/// never built, since `SIMDMask` code is lowered lane by lane.
@usableFromInline
struct G722LowQuantiser {
    /// `G722Tables.lowDecisionSearch`: levels 1…29 ×16, then three zero levels (always reached).
    @usableFromInline let levels: UnsafePointer<UInt16>

    @inlinable @inline(__always)
    init(_ levels: UnsafePointer<UInt16>) { self.levels = levels }

    /// The interval 1…30 holding `magnitude` (0…16383) for step size `det` (1…16384): one more
    /// than the number of levels at or below the magnitude. The levels never fall with the
    /// index, so this equals the standard's linear search.
    @inlinable @inline(__always)
    func interval(magnitude: Int32, det: Int32) -> Int {
        // Both factors are 16-bit (det ≤ 16384, as `G722Band.filterZeros` explains); a plain loop over
        // the 32 lanes, with the products' high halves, is what LLVM turns into `pmulhuw`.
        let step = UInt32(UInt16(truncatingIfNeeded: det))
        let notMagnitude = Int16(truncatingIfNeeded: ~magnitude)
        var reached: Int16 = 0
        for k in 0..<32 {
            let scaled = Int16(truncatingIfNeeded: (UInt32(levels[k]) &* step) &>> 16)
            reached &+= (scaled &+ notMagnitude) &>> 15
        }
        // −reached counts the 29 real levels plus the three padding zeros.
        return -2 &- Int(reached)
    }
}
