import Foundation

/// The latency marker `timbre load` puts into each leg's speech once a second (calls) or once
/// per conference per second (conferences): 60 ms of 1 kHz at −3 dBFS, starting at its peak.
///
/// −26 dBov speech never reaches it: the detector wants a sample at ≥ 60 % of the marker's peak
/// (−7.4 dBFS, above the speech's peaks once it is scaled to −26 dBFS RMS), then confirms the
/// next 2.5 ms: RMS ≥ 0.42 of the peak (−10.5 dBFS, where speech's short-term RMS stays ≥ 1.5 dB
/// below) and a normalised correlation ≥ 0.8 at a lag of one 1 kHz period, which speech does not
/// hold. The RMS test leaves room below a marker that a bridge's limiter has held at its −6 dBFS
/// ceiling (RMS −9.03 dBFS, and a little less after a lossy codec): at half the peak (−9.03
/// dBFS, the first version) such a marker passed by 0.12 %, and a conference's G.722 listeners,
/// whose mix is always limited, found it frames late or not at all.
/// Starting at the cosine's peak makes the first marker sample the first one over threshold, so
/// onsets are found sample-exactly on uncoded frames.
enum LoadMarker {
    static let frequency = 1_000
    static let amplitude = 23_197.0  // 32767 × 10^(−3/20)
    static let durationMilliseconds = 60
    static let sampleThreshold = Int32(0.6 * amplitude)
    static let rmsThreshold = 0.42 * amplitude

    /// Writes the marker over `samples[start..<start+count]` (count clipped to the buffer), with
    /// `phaseStart` samples of the marker already written before `start`.
    static func write(into samples: inout [Int16], at start: Int, count: Int, rate: Int, phaseStart: Int = 0) {
        let end = min(samples.count, start + count)
        guard start < end else { return }
        for i in start..<end {
            let n = Double(i - start + phaseStart)
            samples[i] = Int16((amplitude * cos(2 * Double.pi * Double(frequency) * n / Double(rate))).rounded())
        }
    }

    /// Samples the confirmation looks at (2.5 ms) and the correlation lag (one 1 kHz period).
    static func window(rate: Int) -> Int { rate / 400 }
    static func lag(rate: Int) -> Int { rate / frequency }

    /// The first index below `limit` where a marker starts in `x`; only indices whose
    /// confirmation window (window + lag samples) fits in `x` are considered.
    static func firstOnset(in x: UnsafeBufferPointer<Int16>, limit: Int, rate: Int) -> Int? {
        let w = window(rate: rate)
        let p = lag(rate: rate)
        let last = min(limit, x.count - w - p)
        guard last > 0 else { return nil }
        for i in 0..<last {
            let v = Int32(x[i])
            guard v >= sampleThreshold || v <= -sampleThreshold else { continue }
            var energy = 0.0
            var lagged = 0.0
            var cross = 0.0
            for n in i..<(i + w) {
                let a = Double(x[n])
                let b = Double(x[n + p])
                energy += a * a
                lagged += b * b
                cross += a * b
            }
            guard (energy / Double(w)).squareRoot() >= rmsThreshold else { continue }
            guard cross >= 0.8 * (energy * lagged).squareRoot() else { continue }
            return i
        }
        return nil
    }
}

/// Finds marker onsets in one received stream, frame by frame, with one frame of delay so the
/// confirmation window of an onset near a frame's end can reach into the next frame.
///
/// Allocates its two-frame buffer once; `process` allocates nothing.
struct LoadMarkerDetector: ~Copyable {
    let rate: Int
    let frameSamples: Int
    private let buffer: UnsafeMutableBufferPointer<Int16>
    private var previousCount = 0
    private var previousTime: Int64 = 0
    /// No new onset before this time (a marker lasts 60 ms).
    private var holdoffUntil: Int64 = .min

    init(rate: Int) {
        self.rate = rate
        frameSamples = rate / 50
        buffer = .allocate(capacity: 2 * (rate / 50) * 3)
        buffer.initialize(repeating: 0)
    }

    deinit { buffer.deallocate() }

    /// Feeds the decoded PCM of one packet received at `time` (ns); returns the time of a marker
    /// onset found in the previous packet, if any.
    mutating func process(_ pcm: UnsafeBufferPointer<Int16>, time: Int64) -> Int64? {
        let count = min(pcm.count, buffer.count / 2)
        var found: Int64?
        // Append the new frame after the previous one, then search the previous one.
        for i in 0..<count { buffer[previousCount + i] = pcm[i] }
        if previousCount > 0, previousTime + Int64(previousCount) * 1_000_000_000 / Int64(rate) > holdoffUntil {
            let view = UnsafeBufferPointer(rebasing: buffer[0..<(previousCount + count)])
            if let i = LoadMarker.firstOnset(in: view, limit: previousCount, rate: rate) {
                let t = previousTime + Int64(i) * 1_000_000_000 / Int64(rate)
                if t > holdoffUntil {
                    found = t
                    holdoffUntil = t + 200_000_000
                }
            }
        }
        // The new frame becomes the previous one.
        for i in 0..<count { buffer[i] = buffer[previousCount + i] }
        previousCount = count
        previousTime = time
        return found
    }
}
