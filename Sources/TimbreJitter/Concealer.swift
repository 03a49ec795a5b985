#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Packet-loss concealment for codecs without their own (G.711, G.722, PCM): pitch-based waveform
/// repetition in the manner of ITU-T G.711 Appendix I (an independent implementation).
///
/// At the start of a loss the pitch period `p` of the last output is found by normalised
/// correlation and the last three periods are kept. The first 10 ms repeat the last period; after
/// that two, then three periods are cycled (cross-faded over p/4 at each switch) so a long loss
/// does not buzz. From 10 ms on the level falls linearly by 20 % per 10 ms, reaching silence at
/// 60 ms. When audio resumes, `merge` cross-fades the continuation of the concealment into the
/// first good frame over 4 ms plus 4 ms per 10 ms lost (at most 10 ms).
///
/// The history and pattern buffers are allocated in `init`; nothing allocates per frame.
package struct Concealer {
    let sampleRate: Int
    let minimumLag: Int
    let maximumLag: Int
    let correlationLength: Int
    private var history: [Int16]
    private var pattern: [Int16]
    /// Whether a loss is in progress (between the first `conceal` and `merge`/`reset`).
    package private(set) var active = false
    private(set) var period = 0
    private var periods = 1
    private var position = 0
    /// Samples concealed in the current event.
    private(set) var elapsed = 0
    private var switchFrom = 1
    private var switchRemaining = 0

    package init(sampleRate: Int) {
        self.sampleRate = sampleRate
        minimumLag = max(2, sampleRate / 400)
        maximumLag = sampleRate * 15 / 1000
        correlationLength = sampleRate / 100
        history = Array(repeating: 0, count: 3 * maximumLag + correlationLength)
        pattern = Array(repeating: 0, count: 3 * maximumLag)
    }

    var historyLength: Int { history.count }

    mutating func reset() {
        for i in history.indices { history[i] = 0 }
        active = false
        elapsed = 0
    }

    /// Appends output samples to the history the next loss will repeat.
    package mutating func record(_ samples: UnsafeBufferPointer<Int16>) {
        let h = history.count
        let n = samples.count
        guard n > 0, let src = samples.baseAddress else { return }
        // Called for every decoded frame: block copies, not a scalar loop with bounds and
        // overflow checks (that shift was a quarter of a decode's own time under load).
        history.withUnsafeMutableBufferPointer { hist in
            guard let dst = hist.baseAddress else { return }
            if n >= h {
                dst.update(from: src + (n - h), count: h)
            } else {
                _ = memmove(dst, dst + n, (h - n) * MemoryLayout<Int16>.stride)  // overlapping
                (dst + (h - n)).update(from: src, count: n)
            }
        }
    }

    private mutating func begin() {
        let found = history.withUnsafeBufferPointer {
            PitchSearch.backward(
                $0, end: $0.count, length: correlationLength, minimumLag: minimumLag, maximumLag: maximumLag)
        }
        period = found.lag
        let h = history.count
        for k in 0..<(3 * period) { pattern[k] = history[h - 3 * period + k] }
        periods = 1
        position = 0
        elapsed = 0
        switchRemaining = 0
        active = true
    }

    /// The repetition of the last `k` periods at output position `pos`.
    @inline(__always)
    private func repeated(_ pos: Int, _ k: Int) -> Double {
        let span = k * period
        return Double(pattern[3 * period - span + pos % span])
    }

    private mutating func nextSample() -> Int16 {
        let tenMs = sampleRate / 100
        // More periods after 10 and 20 ms, as Appendix I does, to avoid a buzzy repetition.
        let wanted = elapsed < tenMs ? 1 : (elapsed < 2 * tenMs ? 2 : 3)
        if wanted != periods {
            switchFrom = periods
            periods = wanted
            switchRemaining = max(1, period / 4)
        }
        var v = repeated(position, periods)
        if switchRemaining > 0 {
            let total = max(1, period / 4)
            let w = Double(total - switchRemaining + 1) / Double(total + 1)
            v = (1 - w) * repeated(position, switchFrom) + w * v
            switchRemaining -= 1
        }
        let gain: Double
        if elapsed < tenMs {
            gain = 1
        } else {
            gain = max(0, 1 - 0.2 * Double(elapsed - tenMs) / Double(tenMs))
        }
        position += 1
        elapsed += 1
        return Int16(max(-32768, min(32767, (v * gain).rounded())))
    }

    /// Writes concealment for a lost stretch into `out`. Starts a loss event if none is active.
    package mutating func conceal(into out: UnsafeMutableBufferPointer<Int16>) {
        if !active { begin() }
        for k in 0..<out.count { out[k] = nextSample() }
    }

    /// Cross-fades the concealment's continuation into the start of the first good frame, then
    /// ends the loss event. A no-op when no loss is in progress.
    package mutating func merge(into decoded: UnsafeMutableBufferPointer<Int16>) {
        guard active else { return }
        let ms = sampleRate / 1000
        let lostTens = min(elapsed / (10 * ms), 1)
        let length = min(decoded.count, 4 * ms + 4 * ms * lostTens)
        for k in 0..<length {
            let w = Double(k + 1) / Double(length + 1)
            let v = (1 - w) * Double(nextSample()) + w * Double(decoded[k])
            decoded[k] = Int16(max(-32768, min(32767, v.rounded())))
        }
        active = false
    }

    /// Ends the loss event without a merge (a new stream, or comfort noise took over).
    package mutating func end() { active = false }
}
