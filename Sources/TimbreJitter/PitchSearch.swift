/// Normalised cross-correlation pitch search shared by concealment and time-scale modification.
enum PitchSearch {
    struct Result {
        /// Best lag in samples.
        var lag: Int
        /// Normalised correlation at that lag, in −1…1.
        var correlation: Double
    }

    /// The lag in `minimumLag...maximumLag` for which `x[a ..< a+length]` best matches
    /// `x[a+lag ..< a+lag+length]` (forward lags; the caller checks the bounds fit).
    /// A coarse pass on every second lag and sample, then a fine pass around the winner, keeps
    /// this cheap at 16 and 48 kHz.
    static func forward(
        _ x: UnsafeBufferPointer<Int16>, start a: Int, length: Int, minimumLag: Int, maximumLag: Int
    ) -> Result {
        precondition(a >= 0 && minimumLag >= 1 && a + maximumLag + length <= x.count)
        var best = Result(lag: minimumLag, correlation: -2)
        var lag = minimumLag
        while lag <= maximumLag {
            let c = correlation(x, a, a + lag, length, step: 2)
            if c > best.correlation { best = Result(lag: lag, correlation: c) }
            lag += 2
        }
        let low = max(minimumLag, best.lag - 2)
        let high = min(maximumLag, best.lag + 2)
        best.correlation = -2
        for l in low...high {
            let c = correlation(x, a, a + l, length, step: 1)
            if c > best.correlation { best = Result(lag: l, correlation: c) }
        }
        return best
    }

    /// The lag for which the *last* `length` samples of `x[..<end]` best match the `length`
    /// samples `lag` earlier: the period of the signal just before `end`.
    static func backward(
        _ x: UnsafeBufferPointer<Int16>, end: Int, length: Int, minimumLag: Int, maximumLag: Int
    ) -> Result {
        let start = end - length - maximumLag
        precondition(start >= 0)
        var best = Result(lag: minimumLag, correlation: -2)
        var lag = minimumLag
        while lag <= maximumLag {
            let c = correlation(x, end - length - lag, end - length, length, step: 2)
            if c > best.correlation { best = Result(lag: lag, correlation: c) }
            lag += 2
        }
        let low = max(minimumLag, best.lag - 2)
        let high = min(maximumLag, best.lag + 2)
        best.correlation = -2
        for l in low...high {
            let c = correlation(x, end - length - l, end - length, length, step: 1)
            if c > best.correlation { best = Result(lag: l, correlation: c) }
        }
        return best
    }

    @inline(__always)
    static func correlation(
        _ x: UnsafeBufferPointer<Int16>, _ i: Int, _ j: Int, _ length: Int, step: Int
    ) -> Double {
        var xy: Int64 = 0
        var xx: Int64 = 0
        var yy: Int64 = 0
        var k = 0
        while k < length {
            let p = Int64(x[i + k])
            let q = Int64(x[j + k])
            xy += p * q
            xx += p * p
            yy += q * q
            k += step
        }
        if xx == 0 || yy == 0 { return xx == yy ? 1 : 0 }
        return Double(xy) / (Double(xx).squareRoot() * Double(yy).squareRoot())
    }

    /// Mean square of `x[a ..< a+length]`.
    static func energy(_ x: UnsafeBufferPointer<Int16>, start a: Int, length: Int) -> Double {
        guard length > 0 else { return 0 }
        var e: Int64 = 0
        for k in a..<(a + length) { e += Int64(x[k]) * Int64(x[k]) }
        return Double(e) / Double(length)
    }
}
