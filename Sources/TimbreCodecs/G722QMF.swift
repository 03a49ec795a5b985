/// The 24-tap quadrature mirror filter bank of G.722 (§3.2 transmit, §4.4 receive), as a sliding
/// delay line of `Int16` samples.
///
/// Each step appends two samples and returns, over the last 24, the sum and the difference of
/// the two polyphase outputs: `sum` = even + odd, `difference` = odd − even, where `even` pairs
/// the even-indexed (older) taps with h0…h11 and `odd` pairs the odd-indexed taps with h11…h0.
/// The transmit QMF needs exactly those two (low band = sum, high band = difference); the
/// receive QMF recovers even and odd from them with one add and one subtract.
///
/// Why 16-bit: every value that enters the line fits in 16 bits (the encoder's input samples;
/// the decoder's rL ± rH with both clamped to −16384…16383) and so do the taps (|h| ≤ 3876), so
/// the products are 16×16→32-bit multiplies, which SSE2 has (`pmaddwd`, `pmullw`/`pmulhw`), so
/// also the baseline x86-64 build vectorises them; a 32-bit lane multiply (`pmulld`) is SSE4.1
/// and gets emulated there with shuffles and two `pmuludq`. Sums cannot overflow: 32768 · Σ|h| · 2 = 32768 · 12964 < 2³¹.
///
/// The line is `capacity` long and slides back (one 22-sample copy) only every
/// `(capacity − 24) / 2` steps, so the window is always contiguous and nothing shifts per step.
/// Storage is allocated once in `init`; `step` allocates nothing.
@usableFromInline
struct G722QMF: Sendable {
    @usableFromInline static let capacity = 24 + 2 * 128

    /// Sum and difference taps, interleaved like the line: for the sum, lane 2i holds h(i) and
    /// lane 2i+1 holds h(11−i); the difference negates the even lanes.
    @usableFromInline static let taps: [Int16] = {
        var t = [Int16](repeating: 0, count: 48)
        for i in 0..<12 {
            t[2 * i] = Int16(G722Tables.qmf[i])
            t[2 * i + 1] = Int16(G722Tables.qmf[11 - i])
            t[24 + 2 * i] = -Int16(G722Tables.qmf[i])
            t[24 + 2 * i + 1] = Int16(G722Tables.qmf[11 - i])
        }
        return t
    }()

    @usableFromInline var line: [Int16]
    /// Index one past the newest sample; the window is `line[position-24 ..< position]`.
    @usableFromInline var position: Int

    @usableFromInline
    init() {
        line = [Int16](repeating: 0, count: Self.capacity)
        position = 24
    }

    @usableFromInline
    mutating func reset() {
        line.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        position = 24
    }
}

/// A borrowed view of the delay line for the duration of one `encode`/`decode` call, so the
/// per-pair loop works on raw pointers without array checks.
@usableFromInline
struct G722QMFCursor {
    @usableFromInline let line: UnsafeMutablePointer<Int16>
    @usableFromInline var position: Int
    /// `G722QMF.taps`: 24 sum taps, then 24 difference taps.
    @usableFromInline let taps: UnsafePointer<Int16>

    @inlinable @inline(__always)
    init(line: UnsafeMutablePointer<Int16>, position: Int, taps: UnsafePointer<Int16>) {
        self.line = line
        self.position = position
        self.taps = taps
    }

    /// Appends `first` then `second` and returns even + odd and odd − even over the last 24.
    @inlinable @inline(__always)
    mutating func step(_ first: Int16, _ second: Int16) -> (sum: Int32, difference: Int32) {
        if position == G722QMF.capacity {
            line.update(from: line + (G722QMF.capacity - 22), count: 22)
            position = 22
        }
        line[position] = first
        line[position &+ 1] = second
        position &+= 2
        let window = line + (position &- 24)
        // Plain loops of 16-bit products: LLVM vectorises them with 16-bit multiplies. (Written
        // with `SIMD8` widening conversions instead, the package's release build called the
        // stdlib's generic `init(truncatingIfNeeded:)` out of line and multiplied in 32-bit lanes.)
        var sum: Int32 = 0, difference: Int32 = 0
        for k in 0..<24 {
            let x = Int32(window[k])
            sum &+= x &* Int32(taps[k])
            difference &+= x &* Int32(taps[24 &+ k])
        }
        return (sum, difference)
    }
}
