#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An in-place radix-2 complex FFT on split real/imaginary `Float` buffers, with twiddles and
/// the bit-reversal permutation computed once in `init`.
///
/// Used by `EchoDelayEstimator`; small and plain on purpose (sizes up to a few thousand points,
/// a few times per second). Real-time: `forward`/`inverse` are allocation-free.
struct FFT: Sendable {
    let count: Int
    let cosTable: [Float]
    let sinTable: [Float]
    let bitReversed: [Int32]

    /// - Parameter count: a power of two ≥ 2.
    init(count: Int) {
        precondition(count >= 2 && count & (count - 1) == 0, "FFT size is a power of two")
        self.count = count
        var c = [Float](repeating: 0, count: count / 2)
        var s = [Float](repeating: 0, count: count / 2)
        for k in 0..<(count / 2) {
            let a = -2 * Double.pi * Double(k) / Double(count)
            c[k] = Float(cos(a))
            s[k] = Float(sin(a))
        }
        cosTable = c
        sinTable = s
        var bits = 0
        while 1 << bits < count { bits += 1 }
        bitReversed = (0..<count).map { i in
            var r = 0
            for b in 0..<bits where i & (1 << b) != 0 { r |= 1 << (bits - 1 - b) }
            return Int32(r)
        }
    }

    /// X[k] = Σ x[n] e^{-2πikn/N}.
    func forward(real: UnsafeMutablePointer<Float>, imaginary: UnsafeMutablePointer<Float>) {
        transform(real: real, imaginary: imaginary, sign: 1)
    }

    /// x[n] = Σ X[k] e^{+2πikn/N} (no 1/N scaling).
    func inverse(real: UnsafeMutablePointer<Float>, imaginary: UnsafeMutablePointer<Float>) {
        transform(real: real, imaginary: imaginary, sign: -1)
    }

    private func transform(real re: UnsafeMutablePointer<Float>, imaginary im: UnsafeMutablePointer<Float>, sign: Float) {
        bitReversed.withUnsafeBufferPointer { rev in
            for i in 0..<count {
                let j = Int(rev[i])
                if j > i {
                    swap(&re[i], &re[j])
                    swap(&im[i], &im[j])
                }
            }
        }
        cosTable.withUnsafeBufferPointer { ct in
            sinTable.withUnsafeBufferPointer { st in
                var size = 2
                while size <= count {
                    let half = size / 2
                    let stride = count / size
                    var start = 0
                    while start < count {
                        for k in 0..<half {
                            let wr = ct[k * stride]
                            let wi = sign * st[k * stride]
                            let a = start + k
                            let b = a + half
                            let tr = re[b] * wr - im[b] * wi
                            let ti = re[b] * wi + im[b] * wr
                            re[b] = re[a] - tr
                            im[b] = im[a] - ti
                            re[a] += tr
                            im[a] += ti
                        }
                        start += size
                    }
                    size *= 2
                }
            }
        }
    }
}
