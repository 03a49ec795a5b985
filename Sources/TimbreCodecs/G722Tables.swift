/// The constant tables of ITU-T G.722 (§3 and Tables 6–17 of the recommendation). Indices are
/// masked to the table size so every lookup is in range whatever the code octet holds.
@usableFromInline
enum G722Tables {
    /// QMF coefficients h0…h11 (the 24-tap filter is symmetric: h(23-i) = h(i)).
    @usableFromInline static let qmf: [Int32] = [3, -11, 12, 32, -210, 951, 3876, -805, 362, -156, 53, -11]

    /// Low-band quantiser decision levels (×det >> 12), indexed 1…29 (Table 6, Q6).
    @usableFromInline static let lowDecision: [Int32] = [
        0, 35, 72, 110, 150, 190, 233, 276, 323, 370, 422, 473, 530, 587, 650, 714,
        786, 858, 940, 1023, 1121, 1219, 1339, 1458, 1612, 1765, 1980, 2195, 2557, 2919, 0, 0,
    ]
    /// The encoder's vector quantiser search (`G722LowQuantiser`): levels 1…29 times 16 in
    /// lanes 0…28, so that the high half of a 16×16-bit product with `det` is level·det ≫ 12
    /// exactly; lanes 29…31 are zero, a level every magnitude reaches (the search subtracts 3).
    @usableFromInline static let lowDecisionSearch: [UInt16] = {
        var t = [UInt16](repeating: 0, count: 32)
        for i in 1...29 { t[i - 1] = UInt16(lowDecision[i] * 16) }
        return t
    }()
    /// `lowPositiveCode` then `lowNegativeCode`, indexed by `(negative ? 32 : 0) | interval`.
    @usableFromInline static let lowCode: [UInt8] = lowPositiveCode + lowNegativeCode
    /// Low-band 6-bit codes for negative and positive differences by quantiser interval.
    @usableFromInline static let lowNegativeCode: [UInt8] = [
        0, 63, 62, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19,
        18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 0,
    ]
    @usableFromInline static let lowPositiveCode: [UInt8] = [
        0, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47,
        46, 45, 44, 43, 42, 41, 40, 39, 38, 37, 36, 35, 34, 33, 32, 0,
    ]

    /// Inverse quantiser outputs: 4-bit (QM4, used by the predictor in every mode), 5-bit
    /// (QM5, mode 2) and 6-bit (QM6, mode 1).
    @usableFromInline static let qm4: [Int32] = [
        0, -20456, -12896, -8968, -6288, -4240, -2584, -1200,
        20456, 12896, 8968, 6288, 4240, 2584, 1200, 0,
    ]
    @usableFromInline static let qm5: [Int32] = [
        -280, -280, -23352, -17560, -14120, -11664, -9752, -8184,
        -6864, -5712, -4696, -3784, -2960, -2208, -1520, -880,
        23352, 17560, 14120, 11664, 9752, 8184, 6864, 5712,
        4696, 3784, 2960, 2208, 1520, 880, 280, -280,
    ]
    @usableFromInline static let qm6: [Int32] = [
        -136, -136, -136, -136, -24808, -21904, -19008, -16704,
        -14984, -13512, -12280, -11192, -10232, -9360, -8576, -7856,
        -7192, -6576, -6000, -5456, -4944, -4464, -4008, -3576,
        -3168, -2776, -2400, -2032, -1688, -1360, -1040, -728,
        24808, 21904, 19008, 16704, 14984, 13512, 12280, 11192,
        10232, 9360, 8576, 7856, 7192, 6576, 6000, 5456,
        4944, 4464, 4008, 3576, 3168, 2776, 2400, 2032,
        1688, 1360, 1040, 728, 432, 136, -432, -136,
    ]
    /// High-band inverse quantiser (QM2).
    @usableFromInline static let qm2: [Int32] = [-7408, -1616, 7408, 1616]

    /// Low-band log scale factor multipliers by |4-bit code| (WL via RIL → IL4).
    @usableFromInline static let lowScaleStep: [Int32] = [
        -60, 3042, 1198, 538, 334, 172, 58, -30, 3042, 1198, 538, 334, 172, 58, -30, -60,
    ]
    /// High-band log scale factor multipliers by 2-bit code (WH via RH2).
    @usableFromInline static let highScaleStep: [Int32] = [798, -214, 798, -214]

    /// ILB: 2^(i/32) in Q11, the mantissa of the linear scale factor.
    @usableFromInline static let ilb: [Int32] = [
        2048, 2093, 2139, 2186, 2233, 2282, 2332, 2383, 2435, 2489, 2543, 2599, 2656, 2714, 2774, 2834,
        2896, 2960, 3025, 3091, 3158, 3228, 3298, 3371, 3444, 3520, 3597, 3676, 3756, 3838, 3922, 4008,
    ]

    /// Every table the per-sample code reads, packed into one array so that a whole
    /// `encode`/`decode` call fetches one base pointer once (no per-lookup global access or
    /// bounds check). Offsets below; indices are masked by the callers.
    @usableFromInline static let packed: [Int32] =
        qm2 + qm4 + qm5 + qm6 + lowScaleStep + highScaleStep + ilb + lowCode.map { Int32($0) }
        + lowCode.map { qm4[Int($0 >> 2)] } + lowCode.map { lowScaleStep[Int($0 >> 2)] }

    @inlinable static var qm2Offset: Int { 0 }
    @inlinable static var qm4Offset: Int { 4 }
    @inlinable static var qm5Offset: Int { 20 }
    @inlinable static var qm6Offset: Int { 52 }
    @inlinable static var lowScaleStepOffset: Int { 116 }
    @inlinable static var highScaleStepOffset: Int { 132 }
    @inlinable static var ilbOffset: Int { 136 }
    /// The encoder's low band by `(negative ? 32 : 0) | interval`: the 6-bit code, then its
    /// QM4 output and its WL step, so all three are read at once straight from the quantiser's
    /// result instead of through the code (one dependent load less on the critical path).
    @inlinable static var lowCodeOffset: Int { 168 }
    @inlinable static var lowCodeQM4Offset: Int { 232 }
    @inlinable static var lowCodeScaleStepOffset: Int { 296 }
}
