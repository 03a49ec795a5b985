/// The 24-tap quadrature mirror filter bank of G.722 (§3.2 transmit, §4.4 receive), as a sliding
/// delay line of `Int32` samples.
///
/// Each step appends two samples and takes two dot products over the last 24: `even` pairs the
/// even-indexed (older) taps with h0…h11, `odd` pairs the odd-indexed taps with h11…h0. These are
/// three `SIMD8<Int32>` multiplies and adds, no masks or widening, which LLVM keeps in vector
/// registers (SSE2 baseline, AVX2 under x86-64-v3). The line is `capacity` long and slides back
/// (one 22-sample copy) only every `(capacity − 24) / 2` steps, so there is no per-step shift.
///
/// Storage is allocated once in `init`; `step` allocates nothing.
@usableFromInline
struct G722QMF: Sendable {
    @usableFromInline static let capacity = 24 + 2 * 128

    /// Interleaved coefficients: lane 2i holds h(i), lane 2i+1 holds h(11−i).
    @usableFromInline static let taps: (SIMD8<Int32>, SIMD8<Int32>, SIMD8<Int32>) = {
        var t = [Int32](repeating: 0, count: 24)
        for i in 0..<12 {
            t[2 * i] = G722Tables.qmf[i]
            t[2 * i + 1] = G722Tables.qmf[11 - i]
        }
        return (SIMD8(t[0..<8]), SIMD8(t[8..<16]), SIMD8(t[16..<24]))
    }()

    @usableFromInline var line: [Int32]
    /// Index one past the newest sample; the window is `line[position-24 ..< position]`.
    @usableFromInline var position: Int

    @usableFromInline
    init() {
        line = [Int32](repeating: 0, count: Self.capacity)
        position = 24
    }

    @usableFromInline
    mutating func reset() {
        line.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        position = 24
    }
}

/// A borrowed view of the delay line for the duration of one `encode`/`decode` call, so the
/// per-pair loop works on a raw pointer without array checks.
@usableFromInline
struct G722QMFCursor {
    @usableFromInline let line: UnsafeMutablePointer<Int32>
    @usableFromInline var position: Int
    @usableFromInline let taps: (SIMD8<Int32>, SIMD8<Int32>, SIMD8<Int32>)

    @inlinable @inline(__always)
    init(line: UnsafeMutablePointer<Int32>, position: Int) {
        self.line = line
        self.position = position
        self.taps = G722QMF.taps
    }

    /// Appends `first` then `second` and returns the even-tap and odd-tap sums over the last 24.
    @inlinable @inline(__always)
    mutating func step(_ first: Int32, _ second: Int32) -> (even: Int32, odd: Int32) {
        if position == G722QMF.capacity {
            line.update(from: line + (G722QMF.capacity - 22), count: 22)
            position = 22
        }
        line[position] = first
        line[position &+ 1] = second
        position &+= 2
        let raw = UnsafeRawPointer(line + (position &- 24))
        let w0 = raw.loadUnaligned(as: SIMD8<Int32>.self)
        let w1 = raw.loadUnaligned(fromByteOffset: 32, as: SIMD8<Int32>.self)
        let w2 = raw.loadUnaligned(fromByteOffset: 64, as: SIMD8<Int32>.self)
        let sum = w0 &* taps.0 &+ w1 &* taps.1 &+ w2 &* taps.2
        return (sum.evenHalf.wrappedSum(), sum.oddHalf.wrappedSum())
    }
}
