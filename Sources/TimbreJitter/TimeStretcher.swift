/// WSOLA-style time-scale modification of one decoded frame: removes (accelerate) or repeats
/// (preemptive expand) exactly one pitch period, cross-fading over a similarity window so the
/// splice falls where the waveform repeats itself. Pitch is preserved; only duration changes.
///
/// Accelerate, with period `p` and overlap `L`:
///   out[0..<L] = fadeOut·y[0..<L] + fadeIn·y[p..<p+L];  out[L...] = y[p+L...]   (N − p samples)
/// Preemptive expand:
///   out[0..<p] = y[0..<p];  out[p..<p+L] = fadeOut·y[p..<p+L] + fadeIn·y[0..<L];
///   out[p+L...] = y[L...]                                                         (N + p samples)
/// Both begin with y[0] and end with y[N−1], so the frame still joins its neighbours seamlessly.
/// Only voiced (well-correlated) or quiet frames are stretched: elsewhere a splice would be heard.
/// The caller may also restrict stretching to quiet frames (pauses), where it is inaudible and
/// leaves the timing inside speech alone.
/// Allocation-free; call from the media thread.
struct TimeStretcher {
    let sampleRate: Int
    /// Pitch search range in samples (2.5 ms … 15 ms: 67–400 Hz voices).
    let minimumLag: Int
    let maximumLag: Int
    /// Correlation above which a frame counts as voiced enough to splice.
    var correlationThreshold = 0.9
    /// Mean square below which a frame is quiet enough to splice anywhere (about −50 dBFS: a
    /// pause, not soft speech, whose shortening would be heard and would shift its timing).
    var quietEnergy = 100.0 * 100.0

    init(sampleRate: Int) {
        self.sampleRate = sampleRate
        minimumLag = max(2, sampleRate / 400)
        maximumLag = sampleRate * 15 / 1000
    }

    /// The overlap length for a frame of `n` samples: at least 5 ms, within what fits.
    private func overlap(_ n: Int) -> Int { max(sampleRate / 200, n / 4) }

    private func searchRange(_ n: Int) -> (low: Int, high: Int, overlap: Int)? {
        let l = overlap(n)
        let high = min(maximumLag, n - l)
        guard high >= minimumLag else { return nil }
        return (minimumLag, high, l)
    }

    /// Removes one pitch period when the frame allows it; returns samples written to `out`
    /// (`y.count` when the frame was copied unchanged). `out` must hold `y.count` samples.
    /// A quiet frame loses at most `limit` samples (the span the delay is actually above its
    /// target), so a pause is never shortened past the point where packets would turn up late.
    func accelerate(
        _ y: UnsafeBufferPointer<Int16>, into out: UnsafeMutableBufferPointer<Int16>, allowVoiced: Bool = true,
        limit: Int = .max
    ) -> Int {
        let n = y.count
        guard var r = searchRange(n) else { return copy(y, out) }
        r.high = min(r.high, limit)
        guard r.high >= r.low else { return copy(y, out) }
        // A pause is cut by the longest span allowed.
        guard let p = lag(y, range: r, allowVoiced: allowVoiced, quietLag: r.high) else { return copy(y, out) }
        let l = r.overlap
        crossFade(y, 0, y, p, l, into: out, at: 0)
        var o = l
        for k in (p + l)..<n {
            out[o] = y[k]
            o += 1
        }
        return o
    }

    /// Repeats one pitch period when the frame allows it; returns samples written to `out`
    /// (`y.count` when unchanged). `out` must hold `y.count + maximumLag` samples.
    /// A quiet frame gains `limit` samples when that lies in the pitch search range (exactly
    /// the span the playout must move), else the nearest span the range allows.
    func expand(
        _ y: UnsafeBufferPointer<Int16>, into out: UnsafeMutableBufferPointer<Int16>, allowVoiced: Bool = true,
        limit: Int = .max
    ) -> Int {
        let n = y.count
        guard let r = searchRange(n) else { return copy(y, out) }
        // A pause is lengthened by the span asked for, at most the longest the frame allows,
        // so the level recovers within a few pause frames.
        let quietLag = max(r.low, min(r.high, limit))
        guard let p = lag(y, range: r, allowVoiced: allowVoiced, quietLag: quietLag) else { return copy(y, out) }
        let l = r.overlap
        for k in 0..<p { out[k] = y[k] }
        crossFade(y, p, y, 0, l, into: out, at: p)
        var o = p + l
        for k in l..<n {
            out[o] = y[k]
            o += 1
        }
        return o
    }

    /// The span to cut or repeat: `quietLag` for a quiet frame (no pitch to match, so no search:
    /// the search was most of the buffer's cost under load, for a result a pause never used),
    /// the pitch period of voiced audio that correlates well enough, or nil to leave the frame.
    private func lag(
        _ y: UnsafeBufferPointer<Int16>, range r: (low: Int, high: Int, overlap: Int), allowVoiced: Bool, quietLag: Int
    ) -> Int? {
        if PitchSearch.energy(y, start: 0, length: y.count) < quietEnergy { return quietLag }
        guard allowVoiced else { return nil }
        let found = PitchSearch.forward(y, start: 0, length: r.overlap, minimumLag: r.low, maximumLag: r.high)
        return found.correlation >= correlationThreshold ? found.lag : nil
    }

    private func copy(_ y: UnsafeBufferPointer<Int16>, _ out: UnsafeMutableBufferPointer<Int16>) -> Int {
        for k in 0..<y.count { out[k] = y[k] }
        return y.count
    }
}

/// Linear cross-fade of `length` samples from `a[i...]` (fading out) into `b[j...]` (fading in).
@inline(__always)
func crossFade(
    _ a: UnsafeBufferPointer<Int16>, _ i: Int, _ b: UnsafeBufferPointer<Int16>, _ j: Int, _ length: Int,
    into out: UnsafeMutableBufferPointer<Int16>, at o: Int
) {
    let scale = 1 / Double(length + 1)
    for k in 0..<length {
        let w = Double(k + 1) * scale
        let v = (1 - w) * Double(a[i + k]) + w * Double(b[j + k])
        out[o + k] = Int16(max(-32768, min(32767, v.rounded())))
    }
}
