import Testing
import TimbreTestSupport
@testable import TimbreCodecs

/// The G.722 pole-zero predictor written block by block as ITU-T G.722 §3.6 states it (RECONS,
/// PARREC, UPPOL2, UPPOL1, UPZERO, DELAYA, FILTEP, FILTEZ, PREDIC), every 16-bit limiter in place
/// and nothing kept in a derived form. `G722Band.update` keeps r doubled, p as its sign, the zero
/// section in SIMD lanes and UPPOL2's wa from a1 limited to ±8191; this is what it must equal.
struct G722PredictorReference {
    var s: Int32 = 0, sz: Int32 = 0
    var r: [Int32] = [0, 0, 0], p: [Int32] = [0, 0, 0]
    var a: [Int32] = [0, 0, 0]
    var b: [Int32] = [0, 0, 0, 0, 0, 0, 0]
    var d: [Int32] = [0, 0, 0, 0, 0, 0, 0]

    static func limit(_ x: Int32) -> Int32 { min(max(x, -32768), 32767) }

    mutating func update(difference dlt: Int32) {
        d[0] = dlt
        r[0] = Self.limit(s + dlt)  // RECONS
        p[0] = Self.limit(sz + dlt)  // PARREC

        // UPPOL2
        let sg0 = p[0] >> 15, sg1 = p[1] >> 15, sg2 = p[2] >> 15
        let wa1 = Self.limit(a[1] + a[1] + a[1] + a[1])
        var wa2 = sg0 == sg1 ? -wa1 : wa1
        wa2 = min(wa2, 32767)
        var apl2 = (wa2 >> 7) + (sg0 == sg2 ? 128 : -128) + ((a[2] * 32512) >> 15)
        apl2 = min(max(apl2, -12288), 12288)

        // UPPOL1
        var apl1 = Self.limit((sg0 == sg1 ? 192 : -192) + ((a[1] * 32640) >> 15))
        let wd3 = Self.limit(15360 - apl2)
        apl1 = min(max(apl1, -wd3), wd3)

        // UPZERO
        let wd1: Int32 = dlt == 0 ? 0 : 128
        let sgd = dlt >> 15
        for i in 1...6 {
            let wd2 = (d[i] >> 15) == sgd ? wd1 : -wd1
            b[i] = Self.limit(wd2 + ((b[i] * 32640) >> 15))
        }

        // DELAYA
        for i in stride(from: 6, to: 0, by: -1) { d[i] = d[i - 1] }
        r[2] = r[1]; r[1] = r[0]
        p[2] = p[1]; p[1] = p[0]
        a[2] = apl2; a[1] = apl1

        // FILTEP
        let pole1 = (a[1] * Self.limit(r[1] + r[1])) >> 15
        let pole2 = (a[2] * Self.limit(r[2] + r[2])) >> 15
        let sp = Self.limit(pole1 + pole2)
        // FILTEZ
        var zero: Int32 = 0
        for i in 1...6 { zero += (b[i] * Self.limit(d[i] + d[i])) >> 15 }
        sz = Self.limit(zero)
        // PREDIC
        s = Self.limit(sp + sz)
    }
}

@Suite struct G722BandTests {
    /// Feeds both predictors the same differences and compares every observable after each step.
    /// `bound` is the largest |d| the band can produce (det ≤ 16384 times the largest inverse
    /// quantiser output, ≫ 15), so the runs cover the whole input range, including the loud end
    /// where r, sp and s saturate and a1, a2 sit on their limits.
    func compare(bound: Int32, steps: Int, seed: UInt64, pattern: (Int, inout SeededRandom) -> Int32) {
        var band = G722Band(initialDet: 32)
        var reference = G722PredictorReference()
        var rng = SeededRandom(seed: seed)
        var mismatches = 0
        for n in 0..<steps {
            let d = min(max(pattern(n, &rng), -bound), bound)
            band.update(difference: d)
            reference.update(difference: d)
            if band.s != reference.s || band.sz != reference.sz || band.a1 != reference.a[1]
                || band.a2 != reference.a[2] {
                mismatches += 1
            }
        }
        #expect(mismatches == 0)
    }

    @Test(arguments: [(Int32(10228), UInt64(1)), (Int32(3704), UInt64(2))])
    func randomDifferencesMatchTheStandardsBlocks(bound: Int32, seed: UInt64) {
        compare(bound: bound, steps: 40_000, seed: seed) { _, rng in Int32.random(in: -bound...bound, using: &rng) }
    }

    /// Slow full-scale square waves and bursts drive s to ±32767 and a1/a2 to their limits.
    @Test(arguments: [Int32(10228), Int32(3704)])
    func loudRunsMatchTheStandardsBlocks(bound: Int32) {
        var saturated = 0
        var band = G722Band(initialDet: 32)
        for n in 0..<20_000 {
            band.update(difference: (n / 37) % 2 == 0 ? bound : -bound)
            if band.s == 32767 || band.s == -32768 { saturated += 1 }
        }
        #expect(saturated > 0, "the loud run never saturated s: it does not test the limiters")
        compare(bound: bound, steps: 50_000, seed: 3) { n, rng in
            switch (n / 400) % 3 {
            case 0: return (n / 37) % 2 == 0 ? bound : -bound
            case 1: return Int32.random(in: -bound...bound, using: &rng)
            default: return (n % 5 == 0) ? 0 : Int32.random(in: -bound / 50...bound / 50, using: &rng)
            }
        }
    }
}
