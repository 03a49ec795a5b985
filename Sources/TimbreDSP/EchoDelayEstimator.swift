#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import TimbreCore

/// Estimates the bulk delay between the far-end signal (what the loudspeaker played) and its
/// echo in the near-end signal (what the microphone captured), so the echo canceller's filter
/// can spend its length on the room rather than on device latency.
///
/// Method: generalised cross-correlation with phase transform (GCC-PHAT). Both signals are
/// decimated to 4 kHz (box-car average), and every `hopSamples` the last `windowSamples/2` of the
/// near end is correlated against the last `windowSamples` of the far end in the frequency
/// domain (one complex FFT carries both real signals). The cross-spectrum is smoothed over
/// updates (only while the far end is active), whitened (PHAT, 100–1700 Hz), transformed back,
/// and its peak, refined by parabolic interpolation, is the delay. Whitening makes the peak
/// sharp on speech and insensitive to the room's reverberation, so the estimate lands on the
/// direct path. Resolution 0.25 ms before interpolation.
///
/// Until the first estimate, updates run every eighth of a hop (64 ms), from a quarter hop of
/// history on, so alignment happens early. A new delay is reported once it has been seen in two
/// updates in a row (within 1 ms), so a burst of double talk cannot move it; a very clear peak
/// (twice the confidence threshold) is taken at once while no estimate is held.
///
/// After a change of echo path the old correlation would decay only with the smoothing (a second
/// or two); a caller that notices the change (the canceller watches its ERLE) calls `reacquire()`,
/// which drops the smoothed cross-spectrum and runs the fast start-up rule again while keeping
/// the current estimate until a new one is confirmed.
///
/// Real-time: allocation-free after `init`; the FFT work (two 4096-point transforms at 4 kHz)
/// happens once per hop (0.5 s), inside the `process` call that completes it.
public struct EchoDelayEstimator: Sendable {
    public static let analysisRate = 4_000

    public let sampleRate: SampleRate
    /// Largest delay searched, in samples at `sampleRate`.
    public let maxDelaySamples: Int
    /// Decimation factor from `sampleRate` to 4 kHz.
    let factor: Int
    let windowSamples: Int  // FFT size at 4 kHz
    let hopSamples: Int  // at 4 kHz
    let maxLag: Int  // at 4 kHz
    let lowBin: Int
    let highBin: Int
    let fft: FFT
    let smoothing: Float = 0.5
    /// Minimum peak-to-RMS ratio of the whitened correlation for an estimate to count.
    public var confidenceThreshold: Double = 7

    // Decimated history (ring buffers of windowSamples at 4 kHz).
    var farHistory: [Float]
    var nearHistory: [Float]
    var writeIndex = 0
    var filled = 0
    var sinceUpdate = 0
    var farAccumulator: Float = 0
    var nearAccumulator: Float = 0
    var phase = 0
    var blockFarEnergy: Float = 0
    var blockNearEnergy: Float = 0

    // Spectra and work buffers.
    var crossReal: [Float]
    var crossImaginary: [Float]
    var workReal: [Float]
    var workImaginary: [Float]
    var accumulatedUpdates = 0

    var candidate: Double?
    var current: Double?
    /// Peak-to-RMS ratio of the last correlation (0 before the first update).
    public private(set) var confidence: Double = 0
    /// The raw peak of the last update in samples at `sampleRate`, before the two-in-a-row check.
    public private(set) var lastPeakSamples: Double?
    /// Number of correlation updates performed.
    public private(set) var updates = 0
    /// How many times `reacquire()` was called since `init` or `reset()`.
    public private(set) var reacquisitions = 0
    /// Whether a reacquisition is running (fast updates, fresh correlation) and has not yet
    /// confirmed a delay.
    public private(set) var isReacquiring = false
    /// Correlation updates left before an unconfirmed reacquisition gives up (keeping the old
    /// estimate), so a false alarm (double talk) does not keep the fast rate for ever.
    var reacquireBudget = 0
    /// Updates a reacquisition may take: about 1.5 s at the fast rate.
    static let reacquireUpdates = 24

    /// - Parameters:
    ///   - sampleRate: a multiple of 4 kHz (8, 16, 32 and 48 kHz).
    ///   - maxDelayMilliseconds: longest delay searched (≤ 1000 ms).
    public init(sampleRate: SampleRate, maxDelayMilliseconds: Int = 500) {
        precondition(sampleRate.hertz % EchoDelayEstimator.analysisRate == 0, "sample rate is a multiple of 4 kHz")
        self.sampleRate = sampleRate
        factor = sampleRate.hertz / EchoDelayEstimator.analysisRate
        let lagMs = min(1000, max(10, maxDelayMilliseconds))
        maxLag = lagMs * EchoDelayEstimator.analysisRate / 1000
        maxDelaySamples = maxLag * factor
        var n = 2048
        while n / 2 < maxLag + 16 { n *= 2 }
        windowSamples = n
        hopSamples = n / 2
        fft = FFT(count: n)
        lowBin = 100 * n / EchoDelayEstimator.analysisRate
        highBin = 1700 * n / EchoDelayEstimator.analysisRate
        farHistory = [Float](repeating: 0, count: n)
        nearHistory = [Float](repeating: 0, count: n)
        crossReal = [Float](repeating: 0, count: n / 2 + 1)
        crossImaginary = [Float](repeating: 0, count: n / 2 + 1)
        workReal = [Float](repeating: 0, count: n)
        workImaginary = [Float](repeating: 0, count: n)
    }

    /// The reported delay in samples at `sampleRate`, or nil before the first confident estimate.
    public var delaySamples: Int? { current.map { Int($0.rounded()) } }

    /// The reported delay in milliseconds (fractional), or nil before the first estimate.
    public var delayMilliseconds: Double? { current.map { $0 * 1000 / Double(sampleRate.hertz) } }

    /// Starts a fresh search after the echo path changed: forgets the smoothed cross-spectrum, the
    /// pending candidate and the near-end history older than `recentSamples` (at `sampleRate`;
    /// nil keeps it all), so echo of the old path cannot confirm the old delay, and updates at the
    /// fast start-up rate until two updates agree (or a very clear peak appears). The current
    /// estimate stays reported until then. Allocation-free.
    public mutating func reacquire(keepingRecentSamples recentSamples: Int? = nil) {
        if let recentSamples {
            let keep = max(0, min(windowSamples, recentSamples / factor))
            for k in keep..<windowSamples { nearHistory[(writeIndex - 1 - k) & (windowSamples - 1)] = 0 }
            filled = min(filled, keep)
        }
        sinceUpdate = 0
        accumulatedUpdates = 0
        candidate = nil
        isReacquiring = true
        reacquireBudget = EchoDelayEstimator.reacquireUpdates
        reacquisitions += 1
    }

    /// Whether the start-up rules apply (no estimate yet, or a reacquisition running).
    var searching: Bool { current == nil || isReacquiring }

    /// Forgets everything, as for a new call.
    public mutating func reset() {
        let threshold = confidenceThreshold
        self = EchoDelayEstimator(sampleRate: sampleRate, maxDelayMilliseconds: maxDelaySamples * 1000 / sampleRate.hertz)
        confidenceThreshold = threshold
    }

    /// Feeds one pair of time-aligned frames (equal counts: what was played and what was
    /// captured over the same interval). Returns true when this call produced an update.
    /// Allocation-free.
    @discardableResult
    public mutating func process(far: UnsafeBufferPointer<Int16>, near: UnsafeBufferPointer<Int16>) -> Bool {
        precondition(far.count == near.count, "far and near frames have equal length")
        var updated = false
        let scale = 1 / Float(factor)
        for i in 0..<far.count {
            farAccumulator += Float(far[i])
            nearAccumulator += Float(near[i])
            phase += 1
            guard phase == factor else { continue }
            let f = farAccumulator * scale
            let n = nearAccumulator * scale
            farHistory[writeIndex] = f
            nearHistory[writeIndex] = n
            blockFarEnergy += f * f
            blockNearEnergy += n * n
            writeIndex = (writeIndex + 1) & (windowSamples - 1)
            farAccumulator = 0
            nearAccumulator = 0
            phase = 0
            filled = min(windowSamples, filled + 1)
            sinceUpdate += 1
            // Until the first estimate (or while reacquiring), update eight times as often so the
            // canceller is aligned early; afterwards once per hop.
            let interval = searching ? hopSamples / 8 : hopSamples
            if sinceUpdate >= interval && filled >= hopSamples / 4 {
                correlate()
                sinceUpdate = 0
                blockFarEnergy = 0
                blockNearEnergy = 0
                updated = true
            }
        }
        return updated
    }

    /// One GCC-PHAT update over the current window.
    mutating func correlate() {
        let n = windowSamples
        let half = n / 2
        // Far-end activity gate: −50 dBov RMS since the last update.
        let farRMS = (blockFarEnergy / Float(max(1, sinceUpdate))).squareRoot()
        let nearRMS = (blockNearEnergy / Float(max(1, sinceUpdate))).squareRoot()
        guard farRMS > 32768 * 0.003, nearRMS > 32768 * 0.0003 else { return }
        updates += 1

        workReal.withUnsafeMutableBufferPointer { re in
            workImaginary.withUnsafeMutableBufferPointer { im in
                farHistory.withUnsafeBufferPointer { far in
                    nearHistory.withUnsafeBufferPointer { near in
                        // Oldest sample first. Real part: far (whole window); imaginary: near
                        // (last half only, so lags 0...n/2 are linear, not circular).
                        for k in 0..<n {
                            let src = (writeIndex + k) & (n - 1)
                            re[k] = far[src]
                            im[k] = k >= half ? near[src] : 0
                        }
                    }
                }
                fft.forward(real: re.baseAddress!, imaginary: im.baseAddress!)
                // Unpack X (far) and Y (near) from Z = X + iY; accumulate C = Y·conj(X).
                crossReal.withUnsafeMutableBufferPointer { cr in
                    crossImaginary.withUnsafeMutableBufferPointer { ci in
                        let keep = accumulatedUpdates == 0 ? 0 : smoothing
                        for k in 0...half {
                            let j = (n - k) & (n - 1)
                            let xr = 0.5 * (re[k] + re[j])
                            let xi = 0.5 * (im[k] - im[j])
                            let yr = 0.5 * (im[k] + im[j])
                            let yi = -0.5 * (re[k] - re[j])
                            let pr = yr * xr + yi * xi
                            let pi = yi * xr - yr * xi
                            cr[k] = keep * cr[k] + (1 - keep) * pr
                            ci[k] = keep * ci[k] + (1 - keep) * pi
                        }
                        // Whiten within the band, build the Hermitian spectrum, transform back.
                        for k in 0..<n {
                            re[k] = 0
                            im[k] = 0
                        }
                        for k in lowBin...highBin {
                            let m = (cr[k] * cr[k] + ci[k] * ci[k]).squareRoot()
                            guard m > 0 else { continue }
                            re[k] = cr[k] / m
                            im[k] = ci[k] / m
                            re[n - k] = re[k]
                            im[n - k] = -im[k]
                        }
                    }
                }
                accumulatedUpdates += 1
                fft.inverse(real: re.baseAddress!, imaginary: im.baseAddress!)
                // r[d] = Σ y[t]·x[t−d]: lags 0...maxLag.
                var peak = 0
                var sumSquares: Float = 0
                for d in 0...maxLag {
                    sumSquares += re[d] * re[d]
                    if re[d] > re[peak] { peak = d }
                }
                let rms = (sumSquares / Float(maxLag + 1)).squareRoot()
                confidence = rms > 0 ? Double(re[peak] / rms) : 0
                // The direct path comes first: an early reflection can correlate more strongly
                // than it, so take the earliest local peak within 30 ms before the maximum that
                // reaches half of it. This also stops the estimate hopping between reflections.
                let strongest = re[peak]
                let earliest = max(1, peak - 30 * EchoDelayEstimator.analysisRate / 1000)
                if earliest < peak {
                    for d in earliest..<peak where re[d] >= 0.5 * strongest && re[d] >= re[d - 1] && re[d] >= re[d + 1] {
                        peak = d
                        break
                    }
                }
                var offset: Float = 0
                if peak > 0 && peak < maxLag {
                    let a = re[peak - 1]
                    let b = re[peak]
                    let c = re[peak + 1]
                    let denominator = a - 2 * b + c
                    if denominator < 0 { offset = max(-0.5, min(0.5, 0.5 * (a - c) / denominator)) }
                }
                // Box-car decimation delays both signals alike: lag × factor is the delay.
                let estimate = (Double(peak) + Double(offset)) * Double(factor)
                lastPeakSamples = estimate
                if isReacquiring {
                    reacquireBudget -= 1
                    if reacquireBudget <= 0 { isReacquiring = false }
                }
                guard confidence >= confidenceThreshold else {
                    candidate = nil
                    return
                }
                let tolerance = Double(sampleRate.hertz) / 1000  // 1 ms
                if let previous = candidate, abs(previous - estimate) <= tolerance {
                    current = estimate
                    isReacquiring = false
                } else if (current == nil || isReacquiring) && confidence >= 2 * confidenceThreshold {
                    // A very clear peak is taken at once, to converge quickly at the start and
                    // after a path change.
                    current = estimate
                    isReacquiring = false
                }
                if let c = current, abs(c - estimate) <= tolerance {
                    current = estimate
                }
                candidate = estimate
            }
        }
    }
}
