/// G.711 A-law and u-law kernels, bit-exact with the ITU-T G.191 software tools (`g711.c`).
///
/// G.191 is the reference: A-law quantises the top 13 bits of a sample, u-law the top 14, and
/// both take negative samples in one's complement (`~x`, never `-x`, so `Int16.min` is an
/// ordinary input and nothing here can trap). Other implementations differ from G.191 on some
/// negative u-law inputs (libspandsp negates with `-x`, ffmpeg and sox round): the tests pin those
/// differences down.
///
/// The per-sample functions have no branches and no tables: the segment (exponent) and the four
/// mantissa bits come from converting the magnitude to `Float` — exact below 2²⁴ — and reading
/// the bit pattern, whose top bits are `exponent << 4 | top four bits under the leading one`,
/// which is the G.711 code layout. Integer→float conversion exists in SSE2 and AVX2, so the
/// whole-buffer loops vectorise on the baseline x86-64 build as well (see the benchmark's doc
/// comment for the `objdump` check). Decoding computes the value instead of reading a 256-entry
/// table for the same reason, and measured faster than such a table in both builds.
///
/// All loops are allocation-free and safe to call from the media thread.
public enum G711 {
    // MARK: Per-sample kernels
    //
    // Written in 16-bit lanes wherever the values fit, widening only for the float conversion:
    // LLVM then packs 8 (SSE2) or 16 (AVX2) samples per register and uses `pminsw`/`psraw`,
    // which measured 2–3× faster on the baseline build than the same logic in 32-bit lanes.

    /// Encodes one sample to A-law (G.191 `alaw_compress`).
    @inlinable @inline(__always)
    public static func aLaw(_ sample: Int16) -> UInt8 {
        let sign = sample >> 15  // 0 or −1
        let magnitude = UInt16(bitPattern: (sample ^ sign) &>> 4)  // one's complement, top 13 bits: 0...2047
        // For magnitude ≥ 16 the float's bits ≫ 19 are (e+127) << 4 | four mantissa bits with
        // e = floor(log2): the A-law code is (e−3) << 4 | mantissa.
        let bits = UInt16(truncatingIfNeeded: Float(magnitude).bitPattern >> 19)
        let code = magnitude < 16 ? magnitude : bits &- ((127 + 3) << 4)
        let positive = UInt16(bitPattern: ~sign & 0x80)
        return UInt8(truncatingIfNeeded: (code | positive) ^ 0x55)
    }

    /// Decodes one A-law code (G.191 `alaw_expand`).
    ///
    /// For segment e ≥ 1 the magnitude is (2m + 33) · 2^(e+2): a float whose exponent field is
    /// e + 134 and whose mantissa is m ≪ 19 | 1 ≪ 18, built straight from the code's bits
    /// (`e << 4 | m` shifted by 19). Adding 1.5 · 2²³ then leaves that integer in the float's low
    /// mantissa bits, so no float→int conversion (which Swift checks, and which would stop the
    /// loop vectorising) is needed. Segment 0 has no implicit leading one: its magnitude
    /// (2m + 1) · 8 is twice the formula's value less 256. This replaced a per-lane variable
    /// shift, which SSE2 lacks (LLVM built 2^e through a float and `pmullw`): the baseline build
    /// went from 0.76× to 1.1× a scalar 256-entry table (see the peer README).
    @inlinable @inline(__always)
    public static func aLaw(decoding code: UInt8) -> Int16 {
        let x = code ^ 0xD5  // bit 7 set for negative samples, bits 0…6: e << 4 | m
        let folded = x & 0x7F
        let scaled = Float(bitPattern: (UInt32(folded) &<< 19) &+ 0x4304_0000) + 12_582_912
        let value = Int16(truncatingIfNeeded: scaled.bitPattern)  // ≤ 32256
        let segmentZero = (Int16(folded) &- 16) &>> 15  // −1 when e = 0
        let magnitude = value &+ ((value &- 256) & segmentZero)
        let negative = Int16(bitPattern: UInt16(x) &<< 8) &>> 15
        return (magnitude ^ negative) &- negative
    }

    /// Encodes one sample to u-law (G.191 `ulaw_compress`).
    @inlinable @inline(__always)
    public static func muLaw(_ sample: Int16) -> UInt8 {
        let sign = sample >> 15
        // One's complement magnitude of the top 14 bits plus the u-law bias of 33, clipped to 8191.
        let biased = UInt16(bitPattern: min((sample ^ sign) &>> 2, 0x1FFF - 33) &+ 33)  // 33...8191
        let bits = UInt16(truncatingIfNeeded: Float(biased).bitPattern >> 19)  // (e+127) << 4 | mantissa
        // Segment s = e−4 (1...8); code = (8−s) << 4 | (15 − mantissa) = 127 − ((s−1) << 4 | mantissa).
        let code = ((127 + 5) << 4) &+ 127 &- bits
        let positive = UInt16(bitPattern: ~sign & 0x80)
        return UInt8(truncatingIfNeeded: code | positive)
    }

    /// Decodes one u-law code (G.191 `ulaw_expand`).
    ///
    /// The magnitude ((m ≪ 3) + 132) ≪ e − 132 is (2m + 33) · 2^(e+2) − 132: the same float built
    /// from the code's bits as in `aLaw(decoding:)` (u-law has no special segment), then the
    /// bias. Replacing the per-lane variable shift took the baseline build from 0.94× to 1.3× a
    /// scalar 256-entry table (micro-benchmark, same process); the AVX2 build is unchanged.
    @inlinable @inline(__always)
    public static func muLaw(decoding code: UInt8) -> Int16 {
        let x = ~code  // bit 7 set for negative samples, bits 0…6: e << 4 | m
        let scaled = Float(bitPattern: (UInt32(x & 0x7F) &<< 19) &+ 0x4304_0000) + 12_582_912
        let magnitude = Int16(truncatingIfNeeded: scaled.bitPattern) &- 132  // 0…32124
        let negative = Int16(bitPattern: UInt16(x) &<< 8) &>> 15
        return (magnitude ^ negative) &- negative
    }

    // MARK: Whole-buffer kernels

    /// Encodes `pcm` to A-law; `codes` must be at least as long. Allocation-free.
    @inlinable
    public static func encodeALaw(_ pcm: UnsafeBufferPointer<Int16>, into codes: UnsafeMutableBufferPointer<UInt8>) {
        precondition(codes.count >= pcm.count, "A-law output shorter than input")
        guard let s = pcm.baseAddress, let d = codes.baseAddress else { return }
        for i in 0..<pcm.count { d[i] = aLaw(s[i]) }
    }

    /// Decodes A-law `codes` to PCM; `pcm` must be at least as long. Allocation-free.
    @inlinable
    public static func decodeALaw(_ codes: UnsafeBufferPointer<UInt8>, into pcm: UnsafeMutableBufferPointer<Int16>) {
        precondition(pcm.count >= codes.count, "PCM output shorter than input")
        guard let s = codes.baseAddress, let d = pcm.baseAddress else { return }
        for i in 0..<codes.count { d[i] = aLaw(decoding: s[i]) }
    }

    /// Encodes `pcm` to u-law; `codes` must be at least as long. Allocation-free.
    @inlinable
    public static func encodeMuLaw(_ pcm: UnsafeBufferPointer<Int16>, into codes: UnsafeMutableBufferPointer<UInt8>) {
        precondition(codes.count >= pcm.count, "u-law output shorter than input")
        guard let s = pcm.baseAddress, let d = codes.baseAddress else { return }
        for i in 0..<pcm.count { d[i] = muLaw(s[i]) }
    }

    /// Decodes u-law `codes` to PCM; `pcm` must be at least as long. Allocation-free.
    @inlinable
    public static func decodeMuLaw(_ codes: UnsafeBufferPointer<UInt8>, into pcm: UnsafeMutableBufferPointer<Int16>) {
        precondition(pcm.count >= codes.count, "PCM output shorter than input")
        guard let s = codes.baseAddress, let d = pcm.baseAddress else { return }
        for i in 0..<codes.count { d[i] = muLaw(decoding: s[i]) }
    }
}
